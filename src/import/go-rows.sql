-- Rows the Go AI Observer's importer (or its `watch`) wrote from session files, of the kinds we write, at the times of
-- the lines that this run counts (temporary table go_footprint, epoch microseconds): no `import.key` of ours, an
-- `import_source` of Go's. Its transcripts and activity metrics, which we do not write, are left alone.
-- The verb, table, attribute column and kind of row are filled in by go-rows.ts (our own text).
{{verb}} {{table}}
WHERE ServiceName = $service
  AND Timestamp IN (SELECT make_timestamp(us) FROM go_footprint)
  AND json_extract_string({{attributes}}, '$."import.key"') IS NULL
  AND json_extract_string({{attributes}}, '$.import_source') IN ('local_jsonl', 'file_watcher')
  AND {{kind}}
