-- 002 up: molecules table, unique InChIKey index, updated_at trigger.

CREATE TABLE molecules (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name             text NOT NULL CHECK (btrim(name) <> ''),
  formula          text NOT NULL CHECK (formula ~ '^[A-Za-z0-9()\[\]+\-.]+$'),
  smiles           text,
  inchikey         text CHECK (inchikey ~ '^[A-Z]{14}-[A-Z]{10}-[A-Z]$'),
  molar_mass_g_mol numeric(12, 5) CHECK (molar_mass_g_mol > 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE molecules IS 'Chemical species known to the lab.';
COMMENT ON COLUMN molecules.inchikey IS 'Standard InChIKey; unique when present.';

-- Two molecules may share a name or a formula (isomers), never an InChIKey.
CREATE UNIQUE INDEX molecules_inchikey_key ON molecules (inchikey)
  WHERE inchikey IS NOT NULL;

CREATE INDEX molecules_name_idx ON molecules (lower(name));

CREATE TRIGGER molecules_set_updated_at
  BEFORE UPDATE ON molecules
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
