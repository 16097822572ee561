-- name: CreateApiKey :one
INSERT INTO api_keys (key_type, account_id, user_id, name, key_hash, expires_at, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING *;

-- name: GetApiKeyByHash :one
SELECT * FROM api_keys WHERE key_hash = $1;

-- name: TouchApiKey :exec
UPDATE api_keys SET last_used_at = now()
WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');

-- name: GetAccountApiKey :one
SELECT * FROM api_keys
WHERE id = $1 AND key_type = 'account' AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]));

-- name: ListAccountApiKeys :many
SELECT * FROM api_keys
WHERE account_id = $1 AND key_type = 'account'
ORDER BY created_at, id;

-- name: RegenerateAccountApiKey :one
UPDATE api_keys SET key_hash = $2, expires_at = $3, updated_at = now()
WHERE id = $1 AND key_type = 'account' AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]))
RETURNING *;

-- name: DeleteAccountApiKey :one
DELETE FROM api_keys
WHERE id = $1 AND key_type = 'account' AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]))
RETURNING user_id;

-- name: DeleteMachineUser :exec
DELETE FROM users WHERE id = $1 AND kind = 'machine';
