-- The archive's log rows with our key, in the filter, for the bookkeeping (archive-bookkeeping.sql): read apart, on one
-- thread (their rows may be large), where reading them with the metrics ran two threads out of 192 MB.
CREATE OR REPLACE TEMP TABLE archive_log_events AS
SELECT service, key, ts
FROM (
  SELECT ServiceName AS service, import_key(LogAttributes) AS key, Timestamp AS ts
  FROM archive_logs WHERE {{filter}}
)
WHERE key IS NOT NULL
