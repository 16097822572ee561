-- name: CreateJobRun :one
INSERT INTO job_runs (job_id, account_id, workflow_id, status)
VALUES ($1, $2, $3, 'pending')
RETURNING *;

-- name: StartJobRun :one
-- Called by the worker: the run row exists when the API triggered it, and is
-- created here for scheduled runs.
INSERT INTO job_runs (job_id, account_id, workflow_id, temporal_run_id, status, started_at)
SELECT j.id, j.account_id, sqlc.arg(workflow_id), sqlc.arg(temporal_run_id), 'running', now()
FROM jobs j WHERE j.id = sqlc.arg(job_id)
ON CONFLICT (workflow_id) DO UPDATE
SET status = CASE WHEN job_runs.status = 'pending' THEN 'running' ELSE job_runs.status END,
    temporal_run_id = EXCLUDED.temporal_run_id,
    started_at = COALESCE(job_runs.started_at, now())
RETURNING *;

-- name: GetJobRun :one
SELECT * FROM job_runs
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]));

-- name: ListJobRunsByJob :many
SELECT * FROM job_runs
WHERE job_id = $1 AND (sqlc.narg(before_created)::timestamptz IS NULL OR (created_at, id) < (sqlc.narg(before_created)::timestamptz, sqlc.narg(before_id)::uuid))
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(page_size);

-- name: ListJobRunsByAccount :many
SELECT * FROM job_runs
WHERE account_id = $1 AND (sqlc.narg(before_created)::timestamptz IS NULL OR (created_at, id) < (sqlc.narg(before_created)::timestamptz, sqlc.narg(before_id)::uuid))
ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(page_size);

-- name: ActiveJobRun :one
SELECT * FROM job_runs WHERE job_id = $1 AND status IN ('pending', 'running') LIMIT 1;

-- name: FinishJobRun :one
UPDATE job_runs
SET status = sqlc.arg(status), error = sqlc.narg(error), report = COALESCE(sqlc.narg(report), report), completed_at = COALESCE(completed_at, now())
WHERE id = sqlc.arg(id) AND status IN ('pending', 'running')
RETURNING *;

-- name: EndJobRunTables :exec
-- A run that ended leaves no table pending or running: each is marked
-- failed with what stopped it.
UPDATE job_run_tables
SET state = 'failed',
    error = COALESCE(error, CASE WHEN state = 'pending' THEN 'not copied: ' ELSE 'stopped: ' END || sqlc.arg(reason)::text),
    completed_at = COALESCE(completed_at, now()), updated_at = now()
WHERE job_run_id = sqlc.arg(job_run_id) AND state IN ('pending', 'running');

-- name: DeleteJobRun :execrows
DELETE FROM job_runs WHERE id = $1;

-- name: UpsertJobRunTable :exec
INSERT INTO job_run_tables (job_run_id, schema_name, table_name, state, rows_done, rows_expected, error, started_at, completed_at, destination)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (job_run_id, destination, schema_name, table_name) DO UPDATE
SET state = EXCLUDED.state, rows_done = EXCLUDED.rows_done,
    -- a progress report without an expectation keeps the planned one
    rows_expected = CASE WHEN EXCLUDED.rows_expected > 0 THEN EXCLUDED.rows_expected ELSE job_run_tables.rows_expected END,
    error = EXCLUDED.error, started_at = COALESCE(job_run_tables.started_at, EXCLUDED.started_at),
    completed_at = EXCLUDED.completed_at, updated_at = now();

-- name: UpsertJobRunTablesPending :exec
-- Records many tables of a run as pending (UpsertJobRunTable with state
-- pending, no rows done, no error, no completion) in one statement: the
-- i-th table is (destinations[i], schema_names[i], table_names[i],
-- rows_expected[i]). No two may share a key.
INSERT INTO job_run_tables (job_run_id, destination, schema_name, table_name, state, rows_done, rows_expected)
SELECT sqlc.arg(job_run_id)::uuid, unnest(sqlc.arg(destinations)::text[]), unnest(sqlc.arg(schema_names)::text[]),
       unnest(sqlc.arg(table_names)::text[]), 'pending', 0, unnest(sqlc.arg(rows_expected)::bigint[])
ON CONFLICT (job_run_id, destination, schema_name, table_name) DO UPDATE
SET state = 'pending', rows_done = 0,
    rows_expected = CASE WHEN EXCLUDED.rows_expected > 0 THEN EXCLUDED.rows_expected ELSE job_run_tables.rows_expected END,
    error = NULL, completed_at = NULL, updated_at = now();

-- name: ListJobRunTables :many
SELECT * FROM job_run_tables WHERE job_run_id = ANY(sqlc.arg(run_ids)::uuid[]) ORDER BY job_run_id, destination, schema_name, table_name;

-- name: AddJobRunEvent :exec
INSERT INTO job_run_events (job_run_id, level, message, schema_name, table_name) VALUES ($1, $2, $3, $4, $5);

-- name: ListJobRunEvents :many
SELECT * FROM job_run_events WHERE job_run_id = $1 ORDER BY id LIMIT 10000;

-- name: SetJobPaused :one
UPDATE jobs SET paused = $2, updated_at = now()
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]))
RETURNING *;

-- name: LockJobRunTable :one
-- Serialises the reports of one table's key ranges (see UpsertJobRunTableRange).
SELECT state FROM job_run_tables
WHERE job_run_id = $1 AND destination = $2 AND schema_name = $3 AND table_name = $4
FOR UPDATE;

-- name: UpsertJobRunTableRange :exec
INSERT INTO job_run_table_ranges (job_run_id, destination, schema_name, table_name, range_index, state, rows_done)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (job_run_id, destination, schema_name, table_name, range_index) DO UPDATE
SET state = EXCLUDED.state, rows_done = EXCLUDED.rows_done, updated_at = now();

-- name: SumJobRunTableRanges :exec
-- A table copied in ranges: its rows are its ranges' together, its state
-- running until the worker reports it complete.
UPDATE job_run_tables t
SET ranges_total = sqlc.arg(ranges_total),
    rows_done = (SELECT COALESCE(sum(r.rows_done), 0)::bigint FROM job_run_table_ranges r
        WHERE r.job_run_id = t.job_run_id AND r.destination = t.destination AND r.schema_name = t.schema_name AND r.table_name = t.table_name),
    ranges_done = (SELECT count(*)::int FROM job_run_table_ranges r
        WHERE r.job_run_id = t.job_run_id AND r.destination = t.destination AND r.schema_name = t.schema_name AND r.table_name = t.table_name AND r.state = 'complete'),
    state = CASE WHEN t.state = 'pending' THEN 'running' ELSE t.state END,
    started_at = COALESCE(t.started_at, now()), updated_at = now()
WHERE t.job_run_id = $1 AND t.destination = $2 AND t.schema_name = $3 AND t.table_name = $4 AND t.state IN ('pending', 'running');
-- name: DailyUsage :many
-- Rows copied per day (UTC) and job over [start, end): each table of each
-- destination counts the rows it recorded, on the day its copy ended (or
-- was last reported, for one still running).
SELECT (COALESCE(t.completed_at, t.updated_at) AT TIME ZONE 'UTC')::date AS day,
       r.job_id, j.name AS job_name,
       sum(t.rows_done)::bigint AS rows,
       count(DISTINCT r.id)::bigint AS runs
FROM job_run_tables t
JOIN job_runs r ON r.id = t.job_run_id
JOIN jobs j ON j.id = r.job_id
WHERE r.account_id = sqlc.arg(account_id)
  AND (sqlc.narg(job_id)::uuid IS NULL OR r.job_id = sqlc.narg(job_id)::uuid)
  AND r.created_at < sqlc.arg(end_at)::timestamptz
  AND COALESCE(t.completed_at, t.updated_at) >= sqlc.arg(start_at)::timestamptz
  AND COALESCE(t.completed_at, t.updated_at) < sqlc.arg(end_at)::timestamptz
GROUP BY 1, 2, 3
ORDER BY 1, 3, 2;
