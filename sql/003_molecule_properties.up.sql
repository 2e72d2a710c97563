-- 003 up: property kinds (reference table), measured/computed property values
-- per molecule, and the property_source enum.

CREATE TYPE property_source AS ENUM ('measured', 'computed', 'literature');

CREATE TABLE property_kinds (
  code        text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
  label       text NOT NULL,
  unit        text,            -- NULL for dimensionless quantities
  description text
);

COMMENT ON TABLE property_kinds IS 'Reference list of physical properties and their units.';

CREATE TABLE molecule_properties (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  molecule_id uuid NOT NULL REFERENCES molecules (id) ON DELETE CASCADE,
  -- RESTRICT, not CASCADE: removing a property kind must never silently
  -- delete measurements.
  kind_code   text NOT NULL REFERENCES property_kinds (code)
                ON UPDATE CASCADE ON DELETE RESTRICT,
  value       double precision NOT NULL,
  uncertainty double precision CHECK (uncertainty >= 0),
  source      property_source NOT NULL DEFAULT 'measured',
  reference   text,
  measured_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX molecule_properties_molecule_kind_idx
  ON molecule_properties (molecule_id, kind_code);
CREATE INDEX molecule_properties_kind_idx ON molecule_properties (kind_code);

CREATE TRIGGER molecule_properties_set_updated_at
  BEFORE UPDATE ON molecule_properties
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
