-- 007 down: drop user_preferences and the ui_theme enum.

DROP TRIGGER user_preferences_set_updated_at ON user_preferences;
DROP INDEX user_preferences_user_id_key;
DROP TABLE user_preferences;
DROP TYPE ui_theme;
