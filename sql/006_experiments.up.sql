-- 006 up: experiments run on mixtures, with an experiment_status enum.

CREATE TYPE experiment_status AS ENUM
  ('planned', 'running', 'completed', 'failed', 'cancelled');

CREATE TABLE experiments (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  mixture_id    uuid NOT NULL REFERENCES mixtures (id) ON DELETE CASCADE,
  title         text NOT NULL CHECK (btrim(title) <> ''),
  status        experiment_status NOT NULL DEFAULT 'planned',
  temperature_k numeric(8, 3) CHECK (temperature_k > 0),
  pressure_kpa  numeric(10, 3) CHECK (pressure_kpa >= 0),
  started_at    timestamptz,
  finished_at   timestamptz,
  results       jsonb NOT NULL DEFAULT '{}'::jsonb,
  notes         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT experiments_finished_after_started
    CHECK (finished_at IS NULL OR (started_at IS NOT NULL AND finished_at >= started_at))
);

CREATE INDEX experiments_mixture_idx ON experiments (mixture_id);
-- Dashboards list the open experiments; keep that index small.
CREATE INDEX experiments_open_idx ON experiments (started_at)
  WHERE status IN ('planned', 'running');

CREATE TRIGGER experiments_set_updated_at
  BEFORE UPDATE ON experiments
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
