-- The Go importer's rows of {{table}} that the keyed rows this import adds stand for (go_delete, archive-go-delete.sql):
-- removed, as an import from session files removes them (go-rows.ts). {{verb}}: `SELECT count(*) FROM` or `DELETE FROM`.
{{verb}} {{table}}
WHERE import_key({{attributes}}) IS NULL
  AND coalesce(import_source({{attributes}}) IN {{go_sources}}, false)
  AND EXISTS (
    SELECT 1 FROM go_delete w
    WHERE w.tbl = '{{tbl}}' AND w.service = {{table}}.ServiceName AND w.transcript = {{kind}} AND w.ts = {{table}}.Timestamp
  )
