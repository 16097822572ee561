-- name: CreateJob :one
INSERT INTO jobs (id, account_id, name, job_type, source_connection_id, definition, cron_schedule, key_ciphertext, created_by, updated_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
RETURNING *;

-- name: SetJobKey :exec
UPDATE jobs SET key_ciphertext = $2 WHERE id = $1 AND key_ciphertext IS NULL;

-- name: GetJob :one
SELECT * FROM jobs
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]));

-- name: ListJobs :many
SELECT * FROM jobs WHERE account_id = $1 ORDER BY name, id;

-- name: UpdateJobDefinition :one
UPDATE jobs
SET job_type = $2, source_connection_id = $3, definition = $4, updated_by = $5, updated_at = now()
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]))
RETURNING *;

-- name: UpdateJobSchedule :one
UPDATE jobs
SET cron_schedule = $2, updated_by = $3, updated_at = now()
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]))
RETURNING *;

-- name: DeleteJob :execrows
DELETE FROM jobs
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]));

-- name: IsJobNameTaken :one
SELECT EXISTS (SELECT 1 FROM jobs WHERE account_id = $1 AND name = $2);

-- name: ListJobDestinations :many
SELECT * FROM job_destinations WHERE job_id = $1 ORDER BY created_at, id;

-- name: ListJobDestinationsForJobs :many
SELECT * FROM job_destinations WHERE job_id = ANY(sqlc.arg(job_ids)::uuid[]) ORDER BY created_at, id;

-- name: CreateJobDestination :one
INSERT INTO job_destinations (job_id, connection_id, options)
VALUES ($1, $2, $3)
RETURNING *;

-- name: UpdateJobDestination :one
UPDATE job_destinations
SET connection_id = $3, options = $4, updated_at = now()
WHERE id = $1 AND job_id = $2
RETURNING *;

-- name: DeleteJobDestination :execrows
DELETE FROM job_destinations WHERE id = $1 AND job_id = $2;
