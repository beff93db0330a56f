-- The events behind staged rows (see staged-winners.sql).
CREATE OR REPLACE TEMP TABLE staged_events AS
SELECT q, k, r, t, m, u
FROM read_json($file, format = 'newline_delimited',
               columns = {q: 'BIGINT', k: 'VARCHAR', r: 'DOUBLE', t: 'VARCHAR', m: 'VARCHAR', u: 'BOOLEAN'})
