-- The one copy of each key to keep: the highest rank, then the earliest timestamp, then the
-- first staged (src/sources/shared/merge.ts decides alike).
CREATE OR REPLACE TEMP TABLE staged_winners AS
SELECT first(q ORDER BY r DESC, t, q) AS seq
FROM staged_events
GROUP BY k
