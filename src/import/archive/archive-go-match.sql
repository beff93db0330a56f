-- The times of the Go importer's rows (`go`, in bucket $bucket by their second) that a row of ours (`{{ours}}`: of the
-- same table, service and kind, in the same second or the one before) stands for: at the same time, or up to
-- {{go_lag}} before. Completes archive-go-skip.sql and archive-go-delete.sql.
SELECT DISTINCT g.tbl, g.service, g.transcript, g.ts
FROM go g
WHERE g.transcript IS NOT NULL
  AND hash(date_trunc('second', g.ts)) % $buckets::UBIGINT = $bucket::UBIGINT
  AND (
    EXISTS (
      SELECT 1 FROM {{ours}} o
      WHERE o.tbl = g.tbl AND o.service = g.service AND o.transcript = g.transcript AND o.s = date_trunc('second', g.ts)
        AND o.ts BETWEEN g.ts - {{go_lag}} AND g.ts
    )
    OR EXISTS (
      SELECT 1 FROM {{ours}} o
      WHERE o.tbl = g.tbl AND o.service = g.service AND o.transcript = g.transcript AND o.s = date_trunc('second', g.ts) - INTERVAL 1 SECOND
        AND o.ts BETWEEN g.ts - {{go_lag}} AND g.ts
    )
  )
