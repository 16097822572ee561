-- name: PutJobRunRangeSketch :exec
-- Stores (or replaces) one part of a key range's leak sketches.
INSERT INTO job_run_range_sketches (job_run_id, destination, schema_name, table_name, range_index, part, sketch)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (job_run_id, destination, schema_name, table_name, range_index, part) DO UPDATE
SET sketch = EXCLUDED.sketch, updated_at = now();

-- name: DeleteJobRunRangeSketch :exec
-- Forgets every part of one key range's leak sketches.
DELETE FROM job_run_range_sketches
WHERE job_run_id = $1 AND destination = $2 AND schema_name = $3 AND table_name = $4 AND range_index = $5;

-- name: GetJobRunRangeSketch :many
-- Every part of one key range's leak sketches.
SELECT part, sketch FROM job_run_range_sketches
WHERE job_run_id = $1 AND destination = $2 AND schema_name = $3 AND table_name = $4 AND range_index = $5
ORDER BY part;

-- name: DeleteJobRunRangeSketches :exec
-- Forgets every range sketch of a run (once it has finished).
DELETE FROM job_run_range_sketches WHERE job_run_id = $1;
