-- Leak sketches of update passes. The copy writes a foreign key that
-- breaks a cycle NULL, and the update pass writes it afterwards: the pass
-- sketches the transformed ones and stores them as range -2 of the table,
-- apart from the copy's (range -1 or the key ranges), for the worker that
-- verifies the table.
ALTER TABLE job_run_range_sketches DROP CONSTRAINT job_run_range_sketches_range_index_check;
ALTER TABLE job_run_range_sketches ADD CONSTRAINT job_run_range_sketches_range_index_check CHECK (range_index >= -2);
