-- Rows the Go AI Observer's importer (or its `watch`) wrote from session files, of a kind we write, at the times of
-- the lines that this run turns into rows of that kind (temporary table go_footprint: epoch microseconds, and whether
-- the line made transcript rows): no `import.key` of ours, an `import_source` of Go's. Its activity metrics, which
-- we do not write, are left alone. The verb, table, attribute column, kind of row and kind of time are filled in by
-- go-rows.ts (our own text).
{{verb}} {{table}}
WHERE ServiceName = $service
  AND Timestamp IN (SELECT make_timestamp(us) FROM go_footprint WHERE transcript = {{transcript}})
  AND import_key({{attributes}}) IS NULL
  AND import_source({{attributes}}) IN {{go_sources}}
  AND {{kind}}
