DELETE FROM job_run_tables t USING job_run_tables o
WHERE t.job_run_id = o.job_run_id AND t.schema_name = o.schema_name AND t.table_name = o.table_name AND t.destination > o.destination;
ALTER TABLE job_run_tables DROP CONSTRAINT job_run_tables_pkey;
ALTER TABLE job_run_tables ADD PRIMARY KEY (job_run_id, schema_name, table_name);
ALTER TABLE job_run_tables DROP COLUMN destination;
