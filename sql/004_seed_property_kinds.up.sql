-- 004 up: data migration - seed the reference property kinds and their units.
-- The down deletes exactly these codes.

INSERT INTO property_kinds (code, label, unit, description) VALUES
  ('melting_point',    'Melting point',    'K',       'At 101.325 kPa'),
  ('boiling_point',    'Boiling point',    'K',       'At 101.325 kPa'),
  ('density',          'Density',          'g/cm³',   'At 293.15 K'),
  ('viscosity',        'Dynamic viscosity', 'mPa·s',  'At 293.15 K'),
  ('refractive_index', 'Refractive index', NULL,      'n_D at 293.15 K'),
  ('logp',             'log P',            NULL,      'Octanol/water partition coefficient'),
  ('dipole_moment',    'Dipole moment',    'D',       'Gas phase'),
  ('vapour_pressure',  'Vapour pressure',  'kPa',     'At 298.15 K');
