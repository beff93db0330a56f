-- Rows produced from session files (go-reference §3.3): the other columns are NULL, 0, or '{}'.
-- `q` is the sequence number of the row's event; {{where}} may keep only chosen events.
INSERT INTO otel_logs
SELECT t::TIMESTAMP, NULL, NULL, 0, st, sn, s, b, NULL, '{}', NULL, NULL, NULL, '{}', a
FROM read_json($file, format = 'newline_delimited',
               columns = {t: 'VARCHAR', st: 'VARCHAR', sn: 'INTEGER', s: 'VARCHAR', b: 'VARCHAR', a: 'VARCHAR', q: 'BIGINT'})
{{where}}
