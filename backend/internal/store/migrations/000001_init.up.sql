-- Users are people (local single-user mode, OIDC) or machines (one per API key).
CREATE TABLE users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind             text NOT NULL CHECK (kind IN ('local', 'oidc', 'machine')),
    display_name     text NOT NULL,
    provider_subject text UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Accounts are tenants; every resource below belongs to exactly one.
CREATE TABLE accounts (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name             text NOT NULL,
    account_type     text NOT NULL CHECK (account_type IN ('personal', 'team')),
    personal_user_id uuid UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((account_type = 'personal') = (personal_user_id IS NOT NULL))
);
CREATE UNIQUE INDEX accounts_team_name_key ON accounts (name) WHERE account_type = 'team';

CREATE TABLE account_members (
    account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX account_members_user_id_idx ON account_members (user_id);

-- API keys are stored as SHA-256 hashes of their high-entropy value; the value
-- itself is shown once. Worker keys have no account and may call only what a
-- worker needs.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key_type     text NOT NULL CHECK (key_type IN ('account', 'worker')),
    account_id   uuid REFERENCES accounts (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL,
    key_hash     bytea NOT NULL UNIQUE,
    expires_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    created_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((key_type = 'account') = (account_id IS NOT NULL))
);
CREATE UNIQUE INDEX api_keys_account_name_key ON api_keys (account_id, name) WHERE account_id IS NOT NULL;

-- Connections keep their whole config encrypted (AES-256-GCM, bound to account
-- and connection id); only the type is stored in clear, for listing.
CREATE TABLE connections (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id        uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name              text NOT NULL,
    connection_type   text NOT NULL CHECK (connection_type IN ('postgres', 'mysql', 'aws_s3')),
    config_ciphertext bytea NOT NULL,
    created_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, name)
);

-- Jobs reference their source connection so a connection in use cannot be
-- deleted; the rest of the definition is a JSON document.
CREATE TABLE jobs (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id           uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name                 text NOT NULL,
    job_type             text NOT NULL CHECK (job_type IN ('sync', 'generate')),
    source_connection_id uuid REFERENCES connections (id) ON DELETE RESTRICT,
    definition           jsonb NOT NULL,
    cron_schedule        text,
    paused               boolean NOT NULL DEFAULT false,
    created_by           uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_by           uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, name)
);
CREATE INDEX jobs_source_connection_id_idx ON jobs (source_connection_id);

CREATE TABLE job_destinations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id        uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    connection_id uuid NOT NULL REFERENCES connections (id) ON DELETE RESTRICT,
    options       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (job_id, connection_id)
);
CREATE INDEX job_destinations_connection_id_idx ON job_destinations (connection_id);
