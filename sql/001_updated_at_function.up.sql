-- 001 up: trigger function that stamps updated_at on every UPDATE.
-- Later migrations attach it to their tables with a BEFORE UPDATE trigger.

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

COMMENT ON FUNCTION set_updated_at() IS
  'BEFORE UPDATE trigger function: sets NEW.updated_at to the transaction time.';
