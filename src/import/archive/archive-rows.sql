-- What the plan compares, read once from each side (run-archive-import.ts renders this for both sides and both
-- tables, the logs on one thread: their rows may be large): into {{rows}}, the rows of {{source}} ({{where}}: the
-- archive's in the filter, or the database's of the archive's services) that carry our `import.key` (h: the event's
-- 128-bit MD5 of service and key, as archive-keys.sql compares them) or are the Go importer's (go: no key of ours, its
-- import sources), with their table, service, kind (transcript: as go-rows.ts sorts them) and time. The plan's steps
-- then run in buckets over archive_rows and database_rows instead of reading every row's JSON attributes again for
-- each bucket (each read of 5.6 million rows took 1.5-4.5 s, and a plan of six buckets read them 18 times). DuckDB
-- keeps them within its memory limit, the rest in its temporary folder.
INSERT INTO {{rows}}
SELECT '{{tbl}}', service, transcript, ts,
       CASE WHEN key IS NOT NULL THEN md5_number(service || chr(0) || key) END,
       key IS NULL AND coalesce(source IN {{go_sources}}, false)
FROM (
  SELECT ServiceName AS service, {{kind}} AS transcript, Timestamp AS ts,
         import_key({{attributes}}) AS key, import_source({{attributes}}) AS source
  FROM {{source}} WHERE {{where}}
)
WHERE key IS NOT NULL OR coalesce(source IN {{go_sources}}, false);
