-- name: PutJobRunRangeSketch :exec
-- Stores (or replaces) one part of a key range's (or whole table's, range
-- -1) leak sketches, of its finished copy (checkpoint '') or of one
-- checkpoint.
INSERT INTO job_run_range_sketches (job_run_id, destination, schema_name, table_name, range_index, checkpoint, part, sketch)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (job_run_id, destination, schema_name, table_name, range_index, checkpoint, part) DO UPDATE
SET sketch = EXCLUDED.sketch, updated_at = now();

-- name: PutJobRunRangeSketches :exec
-- Stores (or replaces) many parts of one run's leak sketches in one
-- statement: the i-th part is (destinations[i], schema_names[i], ...; the
-- arrays are unnested side by side and must have one length). No two may
-- share a key (ON CONFLICT cannot update a row twice).
INSERT INTO job_run_range_sketches (job_run_id, destination, schema_name, table_name, range_index, checkpoint, part, sketch)
SELECT sqlc.arg(job_run_id)::uuid, unnest(sqlc.arg(destinations)::text[]), unnest(sqlc.arg(schema_names)::text[]),
       unnest(sqlc.arg(table_names)::text[]), unnest(sqlc.arg(range_indexes)::int[]), unnest(sqlc.arg(checkpoints)::text[]),
       unnest(sqlc.arg(parts)::text[]), unnest(sqlc.arg(sketches)::bytea[])
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
