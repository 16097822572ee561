DELETE FROM job_run_range_sketches WHERE range_index = -2;
ALTER TABLE job_run_range_sketches DROP CONSTRAINT job_run_range_sketches_range_index_check;
ALTER TABLE job_run_range_sketches ADD CONSTRAINT job_run_range_sketches_range_index_check CHECK (range_index >= -1);
