-- Runs are recorded here by the API (on trigger) and the worker (through
-- WorkerService), so history and progress need nothing but this database.
CREATE TABLE job_runs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id          uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    account_id      uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    workflow_id     text NOT NULL UNIQUE,
    temporal_run_id text,
    status          text NOT NULL CHECK (status IN ('pending', 'running', 'complete', 'failed', 'canceled', 'terminated')),
    error           text,
    report          jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    completed_at    timestamptz
);
CREATE INDEX job_runs_job_id_created_idx ON job_runs (job_id, created_at DESC, id);
CREATE INDEX job_runs_account_id_created_idx ON job_runs (account_id, created_at DESC, id);
-- At most one active run per job: a second trigger is refused, not queued.
CREATE UNIQUE INDEX job_runs_one_active_per_job ON job_runs (job_id) WHERE status IN ('pending', 'running');

CREATE TABLE job_run_tables (
    job_run_id    uuid NOT NULL REFERENCES job_runs (id) ON DELETE CASCADE,
    schema_name   text NOT NULL,
    table_name    text NOT NULL,
    state         text NOT NULL CHECK (state IN ('pending', 'running', 'complete', 'failed')),
    rows_done     bigint NOT NULL DEFAULT 0,
    rows_expected bigint NOT NULL DEFAULT 0,
    error         text,
    started_at    timestamptz,
    completed_at  timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_run_id, schema_name, table_name)
);

CREATE TABLE job_run_events (
    id          bigserial PRIMARY KEY,
    job_run_id  uuid NOT NULL REFERENCES job_runs (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    level       text NOT NULL CHECK (level IN ('info', 'warn', 'error')),
    message     text NOT NULL,
    schema_name text,
    table_name  text
);
CREATE INDEX job_run_events_run_idx ON job_run_events (job_run_id, id);
