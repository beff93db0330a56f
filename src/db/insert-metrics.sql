-- Rows produced from session files (go-reference §3.3): MetricType 'sum', the other columns
-- NULL, '{}' or '[]', exactly as the Go importer writes them.
INSERT INTO otel_metrics
SELECT t::TIMESTAMP, s, n, NULL, NULL, '{}', NULL, NULL, a, 'sum', v,
       NULL, NULL, NULL, NULL, '[]', '[]', NULL, NULL, NULL, '[]', NULL, '[]', '[]', '[]', NULL, NULL
FROM read_json($file, format = 'newline_delimited',
               columns = {t: 'VARCHAR', s: 'VARCHAR', n: 'VARCHAR', v: 'DOUBLE', a: 'VARCHAR'})
