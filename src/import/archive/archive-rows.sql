-- What the plan compares, read once from each side (run-archive-import.ts renders this for both): {{rows}}, the rows
-- of {{logs}} and {{metrics}} ({{logs_where}}, {{metrics_where}}: the archive's in the filter, or the database's of the
-- archive's services) that carry our `import.key` (h: the event's 128-bit MD5 of service and key, as archive-keys.sql
-- compares them) or are the Go importer's (go: no key of ours, its import sources), with their table, service, kind
-- (transcript: as go-rows.ts sorts them) and time. The plan's steps then run in buckets over archive_rows and
-- database_rows instead of reading every row's JSON attributes again for each bucket (each read of 5.6 million rows
-- took 1.5-4.5 s, and a plan of six buckets read them 18 times). DuckDB keeps them within its memory limit, the rest
-- in its temporary folder.
CREATE TEMP TABLE {{rows}} AS
SELECT tbl, service, transcript, ts,
       CASE WHEN key IS NOT NULL THEN md5_number(service || chr(0) || key) END AS h,
       key IS NULL AND coalesce(source IN {{go_sources}}, false) AS go
FROM (
  SELECT 'logs' AS tbl, ServiceName AS service, {{log_kind}} AS transcript, Timestamp AS ts,
         json_extract_string(LogAttributes, '$."import.key"') AS key, json_extract_string(LogAttributes, '$.import_source') AS source
  FROM {{logs}} WHERE {{logs_where}}
  UNION ALL
  SELECT 'metrics', ServiceName, {{metric_kind}}, Timestamp,
         json_extract_string(Attributes, '$."import.key"'), json_extract_string(Attributes, '$.import_source')
  FROM {{metrics}} WHERE {{metrics_where}}
)
WHERE key IS NOT NULL OR coalesce(source IN {{go_sources}}, false);
