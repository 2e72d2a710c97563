-- 008 up: demo rows (three molecules, their properties, an ethanol/water
-- mixture, an experiment and a user's preferences), inserted ONLY when the
-- migration runs with environment 'development'; elsewhere it inserts nothing.
-- Every demo row has a fixed id (prefix de000000-) so the down can find it.

INSERT INTO molecules (id, name, formula, smiles, inchikey, molar_mass_g_mol)
SELECT v.id::uuid, v.name, v.formula, v.smiles, v.inchikey, v.molar_mass::numeric
FROM (VALUES
  ('de000000-0000-4000-8000-000000000101', 'Water',   'H2O',   'O',       'XLYOFNOQVPJJNP-UHFFFAOYSA-N', '18.01528'),
  ('de000000-0000-4000-8000-000000000102', 'Ethanol', 'C2H6O', 'CCO',     'LFQSCWFLJHTTHZ-UHFFFAOYSA-N', '46.06844'),
  ('de000000-0000-4000-8000-000000000103', 'Acetone', 'C3H6O', 'CC(C)=O', 'CSCPPACGZOOCGX-UHFFFAOYSA-N', '58.07914')
) AS v (id, name, formula, smiles, inchikey, molar_mass)
WHERE current_setting('tidemark.environment', true) = 'development';

INSERT INTO molecule_properties (id, molecule_id, kind_code, value, source, reference)
SELECT v.id::uuid, v.molecule_id::uuid, v.kind_code, v.value::double precision,
       'literature'::property_source, 'CRC Handbook (demo values)'
FROM (VALUES
  ('de000000-0000-4000-8000-000000000201', 'de000000-0000-4000-8000-000000000101', 'boiling_point', '373.124'),
  ('de000000-0000-4000-8000-000000000202', 'de000000-0000-4000-8000-000000000101', 'density',       '0.99820'),
  ('de000000-0000-4000-8000-000000000203', 'de000000-0000-4000-8000-000000000102', 'boiling_point', '351.39'),
  ('de000000-0000-4000-8000-000000000204', 'de000000-0000-4000-8000-000000000102', 'density',       '0.78945'),
  ('de000000-0000-4000-8000-000000000205', 'de000000-0000-4000-8000-000000000103', 'boiling_point', '329.20'),
  ('de000000-0000-4000-8000-000000000206', 'de000000-0000-4000-8000-000000000103', 'density',       '0.7845')
) AS v (id, molecule_id, kind_code, value)
WHERE current_setting('tidemark.environment', true) = 'development';

INSERT INTO mixtures (id, name, basis, description)
SELECT 'de000000-0000-4000-8000-000000000301'::uuid, 'Ethanol/water azeotrope', 'mole',
       'Minimum-boiling azeotrope, about 95.6 % ethanol by mass'
WHERE current_setting('tidemark.environment', true) = 'development';

INSERT INTO mixture_components (id, mixture_id, molecule_id, fraction)
SELECT v.id::uuid, v.mixture_id::uuid, v.molecule_id::uuid, v.fraction::numeric
FROM (VALUES
  ('de000000-0000-4000-8000-000000000401', 'de000000-0000-4000-8000-000000000301', 'de000000-0000-4000-8000-000000000102', '0.894'),
  ('de000000-0000-4000-8000-000000000402', 'de000000-0000-4000-8000-000000000301', 'de000000-0000-4000-8000-000000000101', '0.106')
) AS v (id, mixture_id, molecule_id, fraction)
WHERE current_setting('tidemark.environment', true) = 'development';

INSERT INTO experiments (id, mixture_id, title, status, temperature_k, pressure_kpa,
                         started_at, finished_at, results)
SELECT 'de000000-0000-4000-8000-000000000501'::uuid,
       'de000000-0000-4000-8000-000000000301'::uuid,
       'Boiling point of the azeotrope at 1 atm', 'completed', 351.3, 101.325,
       '2024-03-04 09:30:00+00', '2024-03-04 11:05:00+00',
       '{"boiling_point_k": 351.3, "operator": "demo"}'::jsonb
WHERE current_setting('tidemark.environment', true) = 'development';

INSERT INTO user_preferences (id, user_id, theme, notify_email, digest_frequency,
                              quiet_hours_start, quiet_hours_end)
SELECT 'de000000-0000-4000-8000-000000000601'::uuid,
       'de000000-0000-4000-8000-0000000006ff'::uuid,
       'dark', false, 'weekly', '22:00', '07:00'
WHERE current_setting('tidemark.environment', true) = 'development';
