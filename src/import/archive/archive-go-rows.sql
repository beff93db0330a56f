-- The Go importer's rows of {{table}} at the times of the keyed rows this import adds (added_at): removed, as an
-- import from session files removes them (go-rows.ts). {{verb}}: `SELECT count(*) FROM` or `DELETE FROM`.
{{verb}} {{table}}
WHERE json_extract_string({{attributes}}, '$."import.key"') IS NULL
  AND coalesce(json_extract_string({{attributes}}, '$.import_source') IN {{go_sources}}, false)
  AND EXISTS (
    SELECT 1 FROM added_at w
    WHERE w.tbl = '{{tbl}}' AND w.service = {{table}}.ServiceName AND w.transcript = {{kind}}
      AND w.ts BETWEEN {{table}}.Timestamp - {{go_lag}} AND {{table}}.Timestamp
  )
