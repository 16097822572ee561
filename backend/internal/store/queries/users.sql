-- name: GetUserByProviderSubject :one
SELECT * FROM users WHERE provider_subject = $1;

-- name: GetUser :one
SELECT * FROM users WHERE id = $1;

-- name: CreateUser :one
INSERT INTO users (kind, display_name, provider_subject)
VALUES ($1, $2, $3)
RETURNING *;

-- name: CreateOIDCUser :one
INSERT INTO users (kind, display_name, provider_subject, email)
VALUES ('oidc', $1, $2, $3)
RETURNING *;

-- name: UpdateUserProfile :exec
UPDATE users SET display_name = $2, email = $3, updated_at = now()
WHERE id = $1 AND (display_name IS DISTINCT FROM $2 OR email IS DISTINCT FROM $3);
