-- name: InsertAuditEvent :exec
INSERT INTO audit_events (account_id, actor_user_id, actor, action, resource_type, resource_id, procedure)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: ListAuditEvents :many
SELECT * FROM audit_events
WHERE account_id = $1 AND (sqlc.narg(before_id)::bigint IS NULL OR id < sqlc.narg(before_id))
ORDER BY id DESC
LIMIT $2;
