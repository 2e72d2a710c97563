-- 007 up: per-user preferences: UI theme and notification settings.

CREATE TYPE ui_theme AS ENUM ('system', 'light', 'dark', 'high_contrast');

CREATE TABLE user_preferences (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id                uuid NOT NULL,  -- subject id from the identity provider
  theme                  ui_theme NOT NULL DEFAULT 'system',
  locale                 text NOT NULL DEFAULT 'en',
  notify_email           boolean NOT NULL DEFAULT true,
  notify_in_app          boolean NOT NULL DEFAULT true,
  notify_experiment_done boolean NOT NULL DEFAULT true,
  digest_frequency       text NOT NULL DEFAULT 'daily'
                           CHECK (digest_frequency IN ('never', 'daily', 'weekly')),
  quiet_hours_start      time,
  quiet_hours_end        time,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT user_preferences_quiet_hours_pair
    CHECK ((quiet_hours_start IS NULL) = (quiet_hours_end IS NULL))
);

-- One preferences row per user.
CREATE UNIQUE INDEX user_preferences_user_id_key ON user_preferences (user_id);

CREATE TRIGGER user_preferences_set_updated_at
  BEFORE UPDATE ON user_preferences
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
