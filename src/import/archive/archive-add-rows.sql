-- The archive's rows of {{table}} that the database lacks ({{archive}}: its view; {{tbl}}: 'logs', 'metrics' or
-- 'traces'; {{attributes}}: the attribute column; {{kind}}: the Go importer's kind of a row, NULL for rows of no such
-- kind; {{archive_columns}}: the archive's columns cast to the table's types):
-- - rows of the events the database lacks ({{new_event}}: their key among new_keys, or any key when every event of the
--   archive is new; false for spans, which carry no key of ours);
-- - rows without a key that the database does not hold as they are (unkeyed_add, archive-unkeyed.sql): all of the
--   archive's copies of a row the database lacks, and of a row it holds fewer times, as many as it lacks (partial:
--   rare, so the numbering of copies is kept to those).
-- {{whole}}, {{partial}}: false where unkeyed_add has no such rows, and {{new_event}} starts with false where new_keys
-- has none of the table, so that DuckDB leaves out reading the archive for a part that adds nothing. A view, not a
-- table: the rows are read once, by the INSERT (the preview counts them from the plan's tables), never held. A view
-- takes no bound parameters, so the filter's values are written into it as literals (run-archive-import.ts).
CREATE OR REPLACE TEMP VIEW add_{{tbl}} AS
SELECT {{archive_columns}}
FROM {{archive}} a
WHERE {{filter}}
  AND {{new_event}}
UNION ALL
SELECT {{columns}}
FROM unkeyed_{{tbl}}
WHERE {{whole}} AND h IN (SELECT h FROM unkeyed_add WHERE tbl = '{{tbl}}' AND NOT partial)
UNION ALL
SELECT {{columns}}
FROM unkeyed_{{tbl}} u
JOIN unkeyed_add k ON k.tbl = '{{tbl}}' AND k.partial AND k.h = u.h
WHERE {{partial}}
QUALIFY row_number() OVER (PARTITION BY u.h) <= k.copies;
