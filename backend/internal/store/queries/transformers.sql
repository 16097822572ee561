-- name: CreateUserDefinedTransformer :one
INSERT INTO user_defined_transformers (account_id, name, description, source, config, created_by, updated_by)
VALUES ($1, $2, $3, $4, $5, $6, $6)
RETURNING *;

-- name: GetUserDefinedTransformer :one
SELECT * FROM user_defined_transformers
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]));

-- name: ListUserDefinedTransformers :many
SELECT * FROM user_defined_transformers WHERE account_id = $1 ORDER BY name, id;

-- name: UpdateUserDefinedTransformer :one
UPDATE user_defined_transformers
SET name = $2, description = $3, config = $4, updated_by = $5, updated_at = now()
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]))
RETURNING *;

-- name: DeleteUserDefinedTransformer :execrows
DELETE FROM user_defined_transformers
WHERE id = $1 AND (sqlc.arg(all_accounts)::bool OR account_id = ANY(sqlc.arg(account_ids)::uuid[]));

-- name: IsTransformerNameTaken :one
SELECT EXISTS (SELECT 1 FROM user_defined_transformers WHERE account_id = $1 AND name = $2);

-- name: JobsUsingTransformer :many
SELECT name FROM jobs
WHERE account_id = $1 AND definition @> jsonb_build_object('mappings', jsonb_build_array(jsonb_build_object('transformer', jsonb_build_object('user_defined_id', sqlc.arg(transformer_id)::text))))
ORDER BY name;
