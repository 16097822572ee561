-- name: GetAccountsForUser :many
SELECT a.* FROM accounts a
JOIN account_members m ON m.account_id = a.id
WHERE m.user_id = $1
ORDER BY a.account_type, a.name, a.id;

-- name: GetAccountsByIDs :many
SELECT * FROM accounts WHERE id = ANY(sqlc.arg(ids)::uuid[]) ORDER BY account_type, name, id;

-- name: GetAccountIDsForUser :many
SELECT account_id FROM account_members WHERE user_id = $1;

-- name: GetPersonalAccount :one
SELECT * FROM accounts WHERE personal_user_id = $1;

-- name: CreateAccount :one
INSERT INTO accounts (name, account_type, personal_user_id)
VALUES ($1, $2, $3)
RETURNING *;

-- name: AddAccountMember :exec
INSERT INTO account_members (account_id, user_id) VALUES ($1, $2)
ON CONFLICT DO NOTHING;

-- name: GetTeamAccountByName :one
SELECT * FROM accounts WHERE account_type = 'team' AND name = $1;

-- name: GetMembershipsForUser :many
SELECT account_id, role FROM account_members WHERE user_id = $1;

-- name: AddAccountMemberWithRole :exec
INSERT INTO account_members (account_id, user_id, role) VALUES ($1, $2, $3)
ON CONFLICT (account_id, user_id) DO NOTHING;

-- name: GetAccount :one
SELECT * FROM accounts WHERE id = $1;

-- name: ListAccountMembers :many
SELECT u.id, u.display_name, u.email, u.kind, m.role, m.created_at
FROM account_members m JOIN users u ON u.id = m.user_id
WHERE m.account_id = $1
ORDER BY m.created_at, u.id;

-- name: SetAccountMemberRole :execrows
UPDATE account_members SET role = $3 WHERE account_id = $1 AND user_id = $2;

-- name: RemoveAccountMember :execrows
DELETE FROM account_members WHERE account_id = $1 AND user_id = $2;

-- name: LockAccount :exec
SELECT id FROM accounts WHERE id = $1 FOR UPDATE;
