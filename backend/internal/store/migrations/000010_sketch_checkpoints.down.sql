DELETE FROM job_run_range_sketches WHERE range_index < 0 OR checkpoint <> '';
ALTER TABLE job_run_range_sketches DROP CONSTRAINT job_run_range_sketches_range_index_check;
ALTER TABLE job_run_range_sketches ADD CONSTRAINT job_run_range_sketches_range_index_check CHECK (range_index >= 0);
ALTER TABLE job_run_range_sketches DROP CONSTRAINT job_run_range_sketches_pkey;
ALTER TABLE job_run_range_sketches ADD PRIMARY KEY (job_run_id, destination, schema_name, table_name, range_index, part);
ALTER TABLE job_run_range_sketches DROP COLUMN checkpoint;
