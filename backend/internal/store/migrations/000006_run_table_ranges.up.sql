-- A large table copied in key ranges reports each range; the table's
-- progress sums them (rows) and counts the ranges complete.
ALTER TABLE job_run_tables ADD COLUMN ranges_total int NOT NULL DEFAULT 0;
ALTER TABLE job_run_tables ADD COLUMN ranges_done int NOT NULL DEFAULT 0;
CREATE TABLE job_run_table_ranges (
    job_run_id  uuid NOT NULL REFERENCES job_runs (id) ON DELETE CASCADE,
    destination text NOT NULL,
    schema_name text NOT NULL,
    table_name  text NOT NULL,
    range_index int NOT NULL CHECK (range_index >= 0),
    state       text NOT NULL CHECK (state IN ('running', 'complete')),
    rows_done   bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_run_id, destination, schema_name, table_name, range_index)
);
