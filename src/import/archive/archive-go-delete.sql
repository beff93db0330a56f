-- The database's rows of the Go importer that stand for the session-file lines of the keyed rows this import adds
-- (the archive's rows of new_keys): as in archive-go-skip.sql the other way round, and in the same buckets. Those
-- rows are removed (go_delete holds their times; archive-go-rows.sql), as an import from session files removes them.
INSERT INTO go_delete
WITH go AS (
  SELECT tbl, service, transcript, ts FROM database_rows WHERE go
),
added AS (
  SELECT tbl, service, transcript, ts, date_trunc('second', ts) AS s
  FROM archive_rows a
  WHERE h IS NOT NULL AND transcript IS NOT NULL
    AND (hash(date_trunc('second', ts)) % $buckets::UBIGINT = $bucket::UBIGINT
      OR hash(date_trunc('second', ts) + INTERVAL 1 SECOND) % $buckets::UBIGINT = $bucket::UBIGINT)
    AND EXISTS (SELECT 1 FROM new_keys k WHERE k.tbl = a.tbl AND k.h = a.h)
)
{{match}}
