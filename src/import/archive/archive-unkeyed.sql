-- The archive's rows of {{table}} without our key (the Go importer's, OTLP's; every span: {{keyless}}) that the
-- database does not hold as they are: each row is compared whole, as a 128-bit MD5 of its columns' texts
-- ({{archive_row_hash}} of the archive's columns cast to the table's types, {{row_hash}} of the table's: the same for
-- equal rows), and is added as many times as the archive holds it more often than the database (two identical rows of
-- the archive stay two; an exact copy is never added twice). The database's rows compared are those of the archive's
-- services and time span. Rows of the Go importer that stand for session-file lines our rows count (go_skip,
-- archive-go-skip.sql) are left out. A hash and a count is what is held per distinct row, where comparing the rows
-- themselves (EXCEPT ALL) held them whole: the 500,000 log rows of an export of 5.6 million ran DuckDB's 192 MB out
-- in some runs (docs/performance.md).
-- unkeyed_{{tbl}}: a view (read again when the rows are added), so its filter's values are literals.
CREATE OR REPLACE TEMP VIEW unkeyed_{{tbl}} AS
SELECT {{archive_columns}}, {{archive_row_hash}} AS h
FROM {{archive}} a
WHERE {{filter}}
  AND ({{keyless}} OR import_key(a.{{attributes}}) IS NULL)
  AND NOT (
    coalesce(import_source(a.{{attributes}}) IN {{go_sources}}, false)
    AND EXISTS (
      SELECT 1 FROM go_skip o
      WHERE o.tbl = '{{tbl}}' AND o.service = a.ServiceName AND o.transcript = {{kind}} AND o.ts = a.Timestamp
    )
  );

-- copies: how many of the archive's rows of hash h to add; partial: the database holds some of them already.
INSERT INTO unkeyed_add
SELECT '{{tbl}}', a.h, a.n - coalesce(d.n, 0), d.n IS NOT NULL
FROM (SELECT h, count(*) AS n FROM unkeyed_{{tbl}} GROUP BY h) a
LEFT JOIN (
  SELECT {{row_hash}} AS h, count(*) AS n
  FROM {{table}}
  WHERE ({{keyless}} OR import_key({{attributes}}) IS NULL)
    AND ServiceName IN (SELECT DISTINCT ServiceName FROM {{archive}})
    AND Timestamp BETWEEN (SELECT min(Timestamp) FROM {{archive}}) AND (SELECT max(Timestamp) FROM {{archive}})
  GROUP BY h
) d ON d.h = a.h
WHERE a.n > coalesce(d.n, 0);
