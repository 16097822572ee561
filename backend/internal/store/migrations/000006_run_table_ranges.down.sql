DROP TABLE job_run_table_ranges;
ALTER TABLE job_run_tables DROP COLUMN ranges_done;
ALTER TABLE job_run_tables DROP COLUMN ranges_total;
