-- The archive's rows of the Go importer (no key of ours, its import sources) that stand for session-file lines our
-- rows count (go-rows.ts): a Go row and ours of the same table, service and kind, ours at its time or up to {{go_lag}}
-- before it. Those rows are not added (go_skip holds their times). Where our rows lie is read from the database's
-- keyed rows and the archive's; both sides are taken in buckets of the second they fall in ($bucket of $buckets: a Go
-- row's second, and our rows of that second or of the one before), so that DuckDB's bounded memory holds them. The
-- filter is the shared date and service predicate over the archive's rows.
INSERT INTO go_skip
WITH go AS (
  SELECT 'logs' AS tbl, ServiceName AS service, {{log_kind}} AS transcript, Timestamp AS ts
  FROM archive_logs
  WHERE {{filter}} AND json_extract_string(LogAttributes, '$."import.key"') IS NULL
    AND json_extract_string(LogAttributes, '$.import_source') IN {{go_sources}}
  UNION ALL
  SELECT 'metrics', ServiceName, {{metric_kind}}, Timestamp
  FROM archive_metrics
  WHERE {{filter}} AND json_extract_string(Attributes, '$."import.key"') IS NULL
    AND json_extract_string(Attributes, '$.import_source') IN {{go_sources}}
),
ours AS (
  SELECT tbl, service, transcript, ts, date_trunc('second', ts) AS s
  FROM (
    SELECT 'logs' AS tbl, ServiceName AS service, {{log_kind}} AS transcript, Timestamp AS ts
    FROM otel_logs
    WHERE ServiceName IN (SELECT service FROM archive_services WHERE tbl = 'logs') AND json_extract_string(LogAttributes, '$."import.key"') IS NOT NULL
    UNION ALL
    SELECT 'metrics', ServiceName, {{metric_kind}}, Timestamp
    FROM otel_metrics
    WHERE ServiceName IN (SELECT service FROM archive_services WHERE tbl = 'metrics') AND json_extract_string(Attributes, '$."import.key"') IS NOT NULL
    UNION ALL
    SELECT 'logs', ServiceName, {{log_kind}}, Timestamp
    FROM archive_logs
    WHERE {{filter}} AND json_extract_string(LogAttributes, '$."import.key"') IS NOT NULL
    UNION ALL
    SELECT 'metrics', ServiceName, {{metric_kind}}, Timestamp
    FROM archive_metrics
    WHERE {{filter}} AND json_extract_string(Attributes, '$."import.key"') IS NOT NULL
  )
  WHERE transcript IS NOT NULL
    AND (hash(date_trunc('second', ts)) % $buckets::UBIGINT = $bucket::UBIGINT
      OR hash(date_trunc('second', ts) + INTERVAL 1 SECOND) % $buckets::UBIGINT = $bucket::UBIGINT)
)
{{match}}
