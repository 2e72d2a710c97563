-- 005 up: mixtures, their components (molecule + fraction) and a view of
-- each mixture's fraction total.

CREATE TABLE mixtures (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (btrim(name) <> ''),
  basis       text NOT NULL DEFAULT 'mole'
                CHECK (basis IN ('mole', 'mass', 'volume')),
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON COLUMN mixtures.basis IS 'What the component fractions are: mole, mass or volume fractions.';

CREATE TABLE mixture_components (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  mixture_id  uuid NOT NULL REFERENCES mixtures (id) ON DELETE CASCADE,
  molecule_id uuid NOT NULL REFERENCES molecules (id) ON DELETE CASCADE,
  fraction    numeric(9, 8) NOT NULL CHECK (fraction > 0 AND fraction <= 1),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A molecule appears at most once in a mixture.
CREATE UNIQUE INDEX mixture_components_mixture_molecule_key
  ON mixture_components (mixture_id, molecule_id);
CREATE INDEX mixture_components_molecule_idx ON mixture_components (molecule_id);

CREATE TRIGGER mixtures_set_updated_at
  BEFORE UPDATE ON mixtures
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER mixture_components_set_updated_at
  BEFORE UPDATE ON mixture_components
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Fractions of a complete mixture add up to 1; this view shows which do not.
CREATE VIEW mixture_fraction_totals AS
SELECT m.id                         AS mixture_id,
       m.name,
       m.basis,
       count(c.id)                  AS components,
       coalesce(sum(c.fraction), 0) AS fraction_total
FROM mixtures m
LEFT JOIN mixture_components c ON c.mixture_id = m.id
GROUP BY m.id, m.name, m.basis;
