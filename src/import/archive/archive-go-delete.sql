-- The database's rows of the Go importer that stand for the session-file lines of the keyed rows this import adds
-- (the archive's rows of new_keys): as in archive-go-skip.sql the other way round, and in the same buckets. Those
-- rows are removed (go_delete holds their times; archive-go-rows.sql), as an import from session files removes them.
INSERT INTO go_delete
WITH go AS (
  SELECT 'logs' AS tbl, ServiceName AS service, {{log_kind}} AS transcript, Timestamp AS ts
  FROM otel_logs
  WHERE ServiceName IN (SELECT service FROM archive_services WHERE tbl = 'logs') AND json_extract_string(LogAttributes, '$."import.key"') IS NULL
    AND json_extract_string(LogAttributes, '$.import_source') IN {{go_sources}}
  UNION ALL
  SELECT 'metrics', ServiceName, {{metric_kind}}, Timestamp
  FROM otel_metrics
  WHERE ServiceName IN (SELECT service FROM archive_services WHERE tbl = 'metrics') AND json_extract_string(Attributes, '$."import.key"') IS NULL
    AND json_extract_string(Attributes, '$.import_source') IN {{go_sources}}
),
added AS (
  SELECT tbl, service, transcript, ts, date_trunc('second', ts) AS s
  FROM (
    SELECT 'logs' AS tbl, ServiceName AS service, {{log_kind}} AS transcript, Timestamp AS ts,
           md5_number(ServiceName || chr(0) || json_extract_string(LogAttributes, '$."import.key"')) AS h
    FROM archive_logs
    WHERE {{filter}} AND json_extract_string(LogAttributes, '$."import.key"') IS NOT NULL
    UNION ALL
    SELECT 'metrics', ServiceName, {{metric_kind}}, Timestamp,
           md5_number(ServiceName || chr(0) || json_extract_string(Attributes, '$."import.key"'))
    FROM archive_metrics
    WHERE {{filter}} AND json_extract_string(Attributes, '$."import.key"') IS NOT NULL
  ) a
  WHERE transcript IS NOT NULL
    AND (hash(date_trunc('second', ts)) % $buckets::UBIGINT = $bucket::UBIGINT
      OR hash(date_trunc('second', ts) + INTERVAL 1 SECOND) % $buckets::UBIGINT = $bucket::UBIGINT)
    AND EXISTS (SELECT 1 FROM new_keys k WHERE k.tbl = a.tbl AND k.h = a.h)
)
{{match}}
