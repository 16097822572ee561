-- The leak sketches of the key ranges of a run's tables, stored by the
-- worker that copied each range and merged by the one that verifies the
-- table (whichever workers they are). One row per part: a column's sketch
-- (part = the column's name) or the range's header (part = ''), which the
-- worker writes last. Deleted when the run finishes.
CREATE TABLE job_run_range_sketches (
    job_run_id  uuid NOT NULL REFERENCES job_runs (id) ON DELETE CASCADE,
    destination text NOT NULL,
    schema_name text NOT NULL,
    table_name  text NOT NULL,
    range_index int NOT NULL CHECK (range_index >= 0),
    part        text NOT NULL,
    sketch      bytea NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_run_id, destination, schema_name, table_name, range_index, part)
);
