-- name: GetUserByProviderSubject :one
SELECT * FROM users WHERE provider_subject = $1;

-- name: GetUser :one
SELECT * FROM users WHERE id = $1;

-- name: CreateUser :one
INSERT INTO users (kind, display_name, provider_subject)
VALUES ($1, $2, $3)
RETURNING *;
