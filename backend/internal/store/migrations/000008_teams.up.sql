-- Teams: a person's email (from their identity provider, when it says),
-- a role per membership, invitations and the audit trail.
ALTER TABLE users ADD COLUMN email text;

-- Existing members created their accounts, so they are admins.
ALTER TABLE account_members ADD COLUMN role text NOT NULL DEFAULT 'admin'
    CHECK (role IN ('admin', 'job_developer', 'job_executor', 'job_viewer'));

-- An invitation is accepted with its token (stored hashed, shown once); when
-- the invitee's provider vouches for an email it must be the invited one.
CREATE TABLE account_invites (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email       text NOT NULL,
    role        text NOT NULL CHECK (role IN ('admin', 'job_developer', 'job_executor', 'job_viewer')),
    token_hash  bytea NOT NULL UNIQUE,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    accepted_at timestamptz,
    declined_at timestamptz,
    CHECK (accepted_at IS NULL OR declined_at IS NULL)
);
CREATE INDEX account_invites_account_id_idx ON account_invites (account_id, created_at);

-- The audit trail: who did what to which resource of an account, and when.
-- Rows outlive the users and resources they name (no foreign keys to them).
CREATE TABLE audit_events (
    id            bigserial PRIMARY KEY,
    account_id    uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    actor_user_id uuid,
    actor         text NOT NULL,
    action        text NOT NULL,
    resource_type text NOT NULL,
    resource_id   text NOT NULL,
    procedure     text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_account_id_idx ON audit_events (account_id, id DESC);
