-- Leak sketches of whole tables and of checkpoints. A table copied in one
-- piece stores its sketches as range -1, so the worker that verifies it
-- need not be the one that copied it. A copy also stores the sketches of
-- the rows up to a checkpoint it heartbeats (checkpoint names it; '' is
-- the finished copy's), so a copy resumed from that checkpoint after a
-- crash continues them instead of losing its leak scan.
ALTER TABLE job_run_range_sketches ADD COLUMN checkpoint text NOT NULL DEFAULT '';
ALTER TABLE job_run_range_sketches DROP CONSTRAINT job_run_range_sketches_pkey;
ALTER TABLE job_run_range_sketches ADD PRIMARY KEY (job_run_id, destination, schema_name, table_name, range_index, checkpoint, part);
ALTER TABLE job_run_range_sketches DROP CONSTRAINT job_run_range_sketches_range_index_check;
ALTER TABLE job_run_range_sketches ADD CONSTRAINT job_run_range_sketches_range_index_check CHECK (range_index >= -1);
