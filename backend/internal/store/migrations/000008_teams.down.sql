DROP TABLE audit_events;
DROP TABLE account_invites;
ALTER TABLE account_members DROP COLUMN role;
ALTER TABLE users DROP COLUMN email;
