-- The usage events of an archive (rows with our `import.key`) that the database lacks, per table: the rows of an event
-- in the database win over the archive's (a key is looked up in the table itself, not in our bookkeeping, so rows
-- deleted after archiving come back). {{filter}} is the shared date and service predicate over the archive's rows.
CREATE TEMP TABLE archive_keys AS
SELECT DISTINCT tbl, ServiceName AS service, key, Timestamp AS ts
FROM (
  SELECT 'logs' AS tbl, ServiceName, json_extract_string(LogAttributes, '$."import.key"') AS key, Timestamp
  FROM archive_logs WHERE {{filter}}
  UNION ALL
  SELECT 'metrics', ServiceName, json_extract_string(Attributes, '$."import.key"'), Timestamp
  FROM archive_metrics WHERE {{filter}}
)
WHERE key IS NOT NULL;

CREATE TEMP TABLE present_keys AS
SELECT DISTINCT tbl, ServiceName AS service, key
FROM (
  SELECT 'logs' AS tbl, ServiceName, json_extract_string(LogAttributes, '$."import.key"') AS key
  FROM otel_logs WHERE ServiceName IN (SELECT service FROM archive_keys WHERE tbl = 'logs')
  UNION ALL
  SELECT 'metrics', ServiceName, json_extract_string(Attributes, '$."import.key"')
  FROM otel_metrics WHERE ServiceName IN (SELECT service FROM archive_keys WHERE tbl = 'metrics')
)
WHERE key IS NOT NULL;

CREATE TEMP TABLE new_keys AS
SELECT tbl, service, key, min(ts) AS ts
FROM archive_keys k
WHERE NOT EXISTS (SELECT 1 FROM present_keys p WHERE p.tbl = k.tbl AND p.service = k.service AND p.key = k.key)
GROUP BY ALL;

-- Where our rows lie (in the database, or arriving keyed from the archive), by table, service, kind and time: the
-- Go importer's rows of the same kind at those times stand for the same session-file lines (go-rows.ts).
CREATE TEMP TABLE ours_at AS
SELECT DISTINCT 'logs' AS tbl, ServiceName AS service, {{log_kind}} AS transcript, Timestamp AS ts
FROM otel_logs
WHERE ServiceName IN (SELECT service FROM archive_keys UNION SELECT ServiceName FROM archive_logs)
  AND json_extract_string(LogAttributes, '$."import.key"') IS NOT NULL AND {{log_kind}} IS NOT NULL
UNION
SELECT DISTINCT 'metrics', ServiceName, {{metric_kind}}, Timestamp
FROM otel_metrics
WHERE ServiceName IN (SELECT service FROM archive_keys UNION SELECT ServiceName FROM archive_metrics)
  AND json_extract_string(Attributes, '$."import.key"') IS NOT NULL AND {{metric_kind}} IS NOT NULL
UNION
SELECT DISTINCT 'logs', ServiceName, {{log_kind}}, Timestamp
FROM archive_logs
WHERE {{filter}} AND json_extract_string(LogAttributes, '$."import.key"') IS NOT NULL AND {{log_kind}} IS NOT NULL
UNION
SELECT DISTINCT 'metrics', ServiceName, {{metric_kind}}, Timestamp
FROM archive_metrics
WHERE {{filter}} AND json_extract_string(Attributes, '$."import.key"') IS NOT NULL AND {{metric_kind}} IS NOT NULL;

