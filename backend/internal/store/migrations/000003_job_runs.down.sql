DROP TABLE IF EXISTS job_run_events;
DROP TABLE IF EXISTS job_run_tables;
DROP TABLE IF EXISTS job_runs;
