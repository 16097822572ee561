-- name: CreateInvite :one
INSERT INTO account_invites (account_id, email, role, token_hash, created_by, expires_at)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;

-- name: ListInvites :many
SELECT * FROM account_invites WHERE account_id = $1 ORDER BY created_at, id;

-- name: GetInviteByTokenHash :one
SELECT * FROM account_invites WHERE token_hash = $1 FOR UPDATE;

-- name: AcceptInvite :exec
UPDATE account_invites SET accepted_by = $2, accepted_at = now() WHERE id = $1;

-- name: DeclineInvite :exec
UPDATE account_invites SET declined_at = now() WHERE id = $1;

-- name: DeleteInvite :execrows
DELETE FROM account_invites WHERE id = $1 AND account_id = $2;
