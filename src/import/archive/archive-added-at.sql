-- Where the keyed rows this import adds lie, by table, service, kind and time (see archive-go-rows.sql): the archive's
-- rows of the events the database lacks (new_keys). Made only when the database holds rows of the Go importer.
CREATE TEMP TABLE added_at AS
SELECT DISTINCT 'logs' AS tbl, ServiceName AS service, {{log_kind}} AS transcript, Timestamp AS ts
FROM archive_logs a
WHERE {{filter}} AND {{log_kind}} IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM new_keys k
    WHERE k.tbl = 'logs' AND k.h = md5_number(a.ServiceName || chr(0) || json_extract_string(a.LogAttributes, '$."import.key"'))
  )
UNION
SELECT DISTINCT 'metrics', ServiceName, {{metric_kind}}, Timestamp
FROM archive_metrics a
WHERE {{filter}} AND {{metric_kind}} IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM new_keys k
    WHERE k.tbl = 'metrics' AND k.h = md5_number(a.ServiceName || chr(0) || json_extract_string(a.Attributes, '$."import.key"'))
  );
