-- 002 down: drop the molecules trigger, indexes and table.

DROP TRIGGER molecules_set_updated_at ON molecules;
DROP INDEX molecules_name_idx;
DROP INDEX molecules_inchikey_key;
DROP TABLE molecules;
