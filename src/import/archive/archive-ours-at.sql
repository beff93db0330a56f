-- Where our rows lie (in the database, or arriving keyed from the archive), by table, service, kind and time: the
-- Go importer's rows of the same kind at those times stand for the same session-file lines (go-rows.ts). Made only
-- when the archive holds rows of the Go importer.
CREATE TEMP TABLE ours_at AS
SELECT DISTINCT 'logs' AS tbl, ServiceName AS service, {{log_kind}} AS transcript, Timestamp AS ts
FROM otel_logs
WHERE ServiceName IN (SELECT service FROM archive_services WHERE tbl = 'logs')
  AND json_extract_string(LogAttributes, '$."import.key"') IS NOT NULL AND {{log_kind}} IS NOT NULL
UNION
SELECT DISTINCT 'metrics', ServiceName, {{metric_kind}}, Timestamp
FROM otel_metrics
WHERE ServiceName IN (SELECT service FROM archive_services WHERE tbl = 'metrics')
  AND json_extract_string(Attributes, '$."import.key"') IS NOT NULL AND {{metric_kind}} IS NOT NULL
UNION
SELECT DISTINCT 'logs', ServiceName, {{log_kind}}, Timestamp
FROM archive_logs
WHERE {{filter}} AND json_extract_string(LogAttributes, '$."import.key"') IS NOT NULL AND {{log_kind}} IS NOT NULL
UNION
SELECT DISTINCT 'metrics', ServiceName, {{metric_kind}}, Timestamp
FROM archive_metrics
WHERE {{filter}} AND json_extract_string(Attributes, '$."import.key"') IS NOT NULL AND {{metric_kind}} IS NOT NULL;
