-- 008 down: delete exactly the demo rows of 008, by their fixed ids, children
-- first. Runs the same in every environment: where 008 inserted nothing,
-- nothing matches. (Rows added later that reference a demo molecule or
-- mixture go with it through ON DELETE CASCADE.)

DELETE FROM user_preferences
WHERE id = 'de000000-0000-4000-8000-000000000601';

DELETE FROM experiments
WHERE id = 'de000000-0000-4000-8000-000000000501';

DELETE FROM mixture_components
WHERE id IN ('de000000-0000-4000-8000-000000000401',
             'de000000-0000-4000-8000-000000000402');

DELETE FROM mixtures
WHERE id = 'de000000-0000-4000-8000-000000000301';

DELETE FROM molecule_properties
WHERE id IN ('de000000-0000-4000-8000-000000000201',
             'de000000-0000-4000-8000-000000000202',
             'de000000-0000-4000-8000-000000000203',
             'de000000-0000-4000-8000-000000000204',
             'de000000-0000-4000-8000-000000000205',
             'de000000-0000-4000-8000-000000000206');

DELETE FROM molecules
WHERE id IN ('de000000-0000-4000-8000-000000000101',
             'de000000-0000-4000-8000-000000000102',
             'de000000-0000-4000-8000-000000000103');
