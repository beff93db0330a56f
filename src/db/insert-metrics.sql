-- Rows produced from session files (go-reference §3.3): MetricType 'sum', the other columns
-- NULL, '{}' or '[]', exactly as the Go importer writes them. `n` lists, comma-separated, the
-- metric names of rows that are otherwise equal (a Claude row and its `_user_facing` twin).
-- Tab-separated without quoting: no field can hold a tab or a line break (attribute JSON
-- escapes every control character), and this reads faster than JSON. `q` is the sequence
-- number of the row's event; {{where}} may keep only chosen events.
INSERT INTO otel_metrics
SELECT t::TIMESTAMP, s, unnest(string_split(n, ',')), NULL, NULL, '{}', NULL, NULL, a, 'sum', v,
       NULL, NULL, NULL, NULL, '[]', '[]', NULL, NULL, NULL, '[]', NULL, '[]', '[]', '[]', NULL, NULL
FROM read_csv($file, delim = '\t', quote = '', escape = '', header = false, auto_detect = false,
              columns = {t: 'VARCHAR', s: 'VARCHAR', n: 'VARCHAR', v: 'DOUBLE', a: 'VARCHAR', q: 'BIGINT'})
{{where}}
