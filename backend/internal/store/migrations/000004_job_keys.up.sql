-- Each job has a random consistent-mode key, encrypted like connection
-- credentials and bound to the account and job. Jobs created before this
-- migration get theirs on first read by the worker.
ALTER TABLE jobs ADD COLUMN key_ciphertext bytea;
