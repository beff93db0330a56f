-- The archive's rows of {{table}} that the database lacks ({{archive}}: its view; {{tbl}}: 'logs', 'metrics' or
-- 'traces'; {{attributes}}: the attribute column, NULL for traces; {{kind}}: the Go importer's kind of a row, NULL for
-- rows of no such kind; {{archive_columns}}: the archive's columns cast to the table's types). Three parts:
-- - rows of the events the database lacks ({{new_event}}: their key among new_keys, or any key when every event of the
--   archive is new);
-- - rows without a key (the Go importer's, OTLP's, spans) that the database does not hold as they are: compared whole,
--   each as often as the archive has it more often than the database (EXCEPT ALL), over the database's rows of the
--   archive's services and times only;
-- - leaving out the Go importer's rows of session-file lines that our rows already count (go_skip,
--   archive-go-skip.sql; empty when the archive holds no rows of the Go importer).
-- A view, not a table: the rows are read twice (counted for the preview, then inserted), never held. A view takes no
-- bound parameters, so the filter's values are written into it as literals (run-archive-import.ts).
CREATE OR REPLACE TEMP VIEW add_{{tbl}} AS
SELECT {{archive_columns}}
FROM {{archive}} a
WHERE {{filter}}
  AND {{new_event}}
UNION ALL
(
  SELECT {{archive_columns}}
  FROM {{archive}} a
  WHERE {{filter}}
    AND json_extract_string(a.{{attributes}}, '$."import.key"') IS NULL
    AND NOT (
      coalesce(json_extract_string(a.{{attributes}}, '$.import_source') IN {{go_sources}}, false)
      AND EXISTS (
        SELECT 1 FROM go_skip o
        WHERE o.tbl = '{{tbl}}' AND o.service = a.ServiceName AND o.transcript = {{kind}} AND o.ts = a.Timestamp
      )
    )
  EXCEPT ALL
  SELECT {{columns}}
  FROM {{table}}
  WHERE json_extract_string({{attributes}}, '$."import.key"') IS NULL
    AND ServiceName IN (SELECT DISTINCT ServiceName FROM {{archive}})
    AND Timestamp BETWEEN (SELECT min(Timestamp) FROM {{archive}}) AND (SELECT max(Timestamp) FROM {{archive}})
);
