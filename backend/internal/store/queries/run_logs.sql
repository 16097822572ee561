-- name: AddJobRunLogs :exec
-- One batch of lines; the arrays are parallel (unnest in the select list
-- zips arrays of equal length).
INSERT INTO job_run_logs (job_run_id, logged_at, level, message, attributes)
SELECT sqlc.arg(job_run_id)::uuid, unnest(sqlc.arg(logged_at)::timestamptz[]), unnest(sqlc.arg(levels)::text[]),
       unnest(sqlc.arg(messages)::text[]), unnest(sqlc.arg(attributes)::jsonb[]);

-- name: ListJobRunLogs :many
SELECT id, logged_at, level, message, attributes FROM job_run_logs
WHERE job_run_id = $1 AND id > sqlc.arg(after_id)
ORDER BY id
LIMIT sqlc.arg(max_lines);

-- name: DeleteJobRunLogsBefore :execrows
-- Retention: one bounded batch at a time, so a large backlog never holds
-- a long lock.
DELETE FROM job_run_logs
WHERE id IN (SELECT id FROM job_run_logs WHERE created_at < sqlc.arg(before)::timestamptz ORDER BY id LIMIT 10000);
