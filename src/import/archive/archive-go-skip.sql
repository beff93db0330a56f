-- The archive's rows of the Go importer (no key of ours, its import sources) that stand for session-file lines our
-- rows count (go-rows.ts): a Go row and ours of the same table, service and kind, ours at its time or up to {{go_lag}}
-- before it. Those rows are not added (go_skip holds their times). Where our rows lie is read from the database's
-- keyed rows and the archive's (archive-rows.sql); both sides are taken in buckets of the second they fall in
-- ($bucket of $buckets: a Go row's second, and our rows of that second or of the one before), so that DuckDB's
-- bounded memory holds them.
INSERT INTO go_skip
WITH go AS (
  SELECT tbl, service, transcript, ts FROM archive_rows WHERE go
),
ours AS (
  SELECT tbl, service, transcript, ts, date_trunc('second', ts) AS s
  FROM (
    SELECT tbl, service, transcript, ts FROM database_rows WHERE h IS NOT NULL
    UNION ALL
    SELECT tbl, service, transcript, ts FROM archive_rows WHERE h IS NOT NULL
  )
  WHERE transcript IS NOT NULL
    AND (hash(date_trunc('second', ts)) % $buckets::UBIGINT = $bucket::UBIGINT
      OR hash(date_trunc('second', ts) + INTERVAL 1 SECOND) % $buckets::UBIGINT = $bucket::UBIGINT)
)
{{match}}
