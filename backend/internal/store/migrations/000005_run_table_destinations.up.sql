-- A job with several destinations reports each table once per destination.
ALTER TABLE job_run_tables ADD COLUMN destination text NOT NULL DEFAULT '';
ALTER TABLE job_run_tables DROP CONSTRAINT job_run_tables_pkey;
ALTER TABLE job_run_tables ADD PRIMARY KEY (job_run_id, destination, schema_name, table_name);
