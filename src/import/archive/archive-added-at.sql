-- Where the keyed rows this import adds lie, by table, service, kind and time (see archive-go-rows.sql).
CREATE TEMP TABLE added_at AS
SELECT DISTINCT 'logs' AS tbl, ServiceName AS service, {{log_kind}} AS transcript, Timestamp AS ts
FROM add_logs
WHERE json_extract_string(LogAttributes, '$."import.key"') IS NOT NULL AND {{log_kind}} IS NOT NULL
UNION
SELECT DISTINCT 'metrics', ServiceName, {{metric_kind}}, Timestamp
FROM add_metrics
WHERE json_extract_string(Attributes, '$."import.key"') IS NOT NULL AND {{metric_kind}} IS NOT NULL;
