-- 001 down: drop the updated_at trigger function.
-- Every trigger using it was dropped by the downs of later migrations.

DROP FUNCTION set_updated_at();
