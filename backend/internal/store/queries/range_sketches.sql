-- name: PutJobRunRangeSketch :exec
-- Stores (or replaces) one part of a key range's (or whole table's, range
-- -1) leak sketches, of its finished copy (checkpoint '') or of one
-- checkpoint.
INSERT INTO job_run_range_sketches (job_run_id, destination, schema_name, table_name, range_index, checkpoint, part, sketch)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (job_run_id, destination, schema_name, table_name, range_index, checkpoint, part) DO UPDATE
SET sketch = EXCLUDED.sketch, updated_at = now();

-- name: DeleteJobRunRangeSketch :exec
-- Forgets every part of one key range's leak sketches, of every
-- checkpoint.
DELETE FROM job_run_range_sketches
WHERE job_run_id = $1 AND destination = $2 AND schema_name = $3 AND table_name = $4 AND range_index = $5;

-- name: DeleteJobRunRangeSketchCheckpoint :exec
-- Forgets the parts of one checkpoint's sketches of a key range.
DELETE FROM job_run_range_sketches
WHERE job_run_id = $1 AND destination = $2 AND schema_name = $3 AND table_name = $4 AND range_index = $5 AND checkpoint = $6;

-- name: GetJobRunRangeSketch :many
-- Every part of one checkpoint's (or the finished copy's) leak sketches of
-- a key range.
SELECT part, sketch FROM job_run_range_sketches
WHERE job_run_id = $1 AND destination = $2 AND schema_name = $3 AND table_name = $4 AND range_index = $5 AND checkpoint = $6
ORDER BY part;

-- name: DeleteJobRunRangeSketches :exec
-- Forgets every range sketch of a run (once it has finished).
DELETE FROM job_run_range_sketches WHERE job_run_id = $1;
