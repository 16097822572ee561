DROP TABLE job_run_logs;
