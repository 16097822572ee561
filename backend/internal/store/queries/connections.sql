-- name: CreateConnection :one
INSERT INTO connections (id, account_id, name, connection_type, config_ciphertext, created_by, updated_by)
VALUES ($1, $2, $3, $4, $5, $6, $6)
RETURNING *;

-- name: GetConnection :one
SELECT * FROM connections
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]));

-- name: ListConnections :many
SELECT * FROM connections WHERE account_id = $1 ORDER BY name, id;

-- name: UpdateConnection :one
UPDATE connections
SET name = $2, connection_type = $3, config_ciphertext = $4, updated_by = $5, updated_at = now()
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]))
RETURNING *;

-- name: DeleteConnection :execrows
DELETE FROM connections
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]));

-- name: IsConnectionNameTaken :one
SELECT EXISTS (SELECT 1 FROM connections WHERE account_id = $1 AND name = $2);

-- name: JobsUsingConnection :many
SELECT DISTINCT j.name FROM jobs j
LEFT JOIN job_destinations d ON d.job_id = j.id
WHERE j.source_connection_id = $1 OR d.connection_id = $1
ORDER BY j.name;
