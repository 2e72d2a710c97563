-- 006 down: drop experiments and the experiment_status enum.

DROP TRIGGER experiments_set_updated_at ON experiments;
DROP INDEX experiments_open_idx;
DROP INDEX experiments_mixture_idx;
DROP TABLE experiments;
DROP TYPE experiment_status;
