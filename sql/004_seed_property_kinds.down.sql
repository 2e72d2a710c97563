-- 004 down: delete exactly the property kinds seeded by 004.
-- Fails (foreign key RESTRICT) while measurements still use one of them.

DELETE FROM property_kinds
WHERE code IN ('melting_point', 'boiling_point', 'density', 'viscosity',
               'refractive_index', 'logp', 'dipole_moment', 'vapour_pressure');
