-- The worker's log lines for a run, kept for the API's retention
-- (NEOSYNC_RUN_LOG_RETENTION_DAYS) and deleted with their run.
CREATE TABLE job_run_logs (
    id          bigserial PRIMARY KEY,
    job_run_id  uuid NOT NULL REFERENCES job_runs (id) ON DELETE CASCADE,
    logged_at   timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    level       text NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
    message     text NOT NULL,
    attributes  jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX job_run_logs_run_idx ON job_run_logs (job_run_id, id);
CREATE INDEX job_run_logs_created_idx ON job_run_logs (created_at);
