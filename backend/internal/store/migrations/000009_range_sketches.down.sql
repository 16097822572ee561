DROP TABLE job_run_range_sketches;
