-- Which account owns a resource: the authorization check reads these to
-- tell "your role may not" from "not yours" before a handler runs.

-- name: GetConnectionAccountID :one
SELECT account_id FROM connections WHERE id = $1;

-- name: GetJobAccountID :one
SELECT account_id FROM jobs WHERE id = $1;

-- name: GetJobRunAccountID :one
SELECT account_id FROM job_runs WHERE id = $1;

-- name: GetTransformerAccountID :one
SELECT account_id FROM user_defined_transformers WHERE id = $1;

-- name: GetApiKeyAccountID :one
SELECT account_id FROM api_keys WHERE id = $1 AND key_type = 'account';

-- name: GetInviteAccountID :one
SELECT account_id FROM account_invites WHERE id = $1;
