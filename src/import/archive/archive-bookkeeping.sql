-- The events this import adds (new_keys), recorded in our bookkeeping with their keys as text, below any copy read
-- from a session file (rank -1): a later import of the same event from its file replaces the archive's rows instead
-- of adding them again. An event the bookkeeping has already (its rows deleted since) keeps its row. {{tool}}: the
-- tool of a service, as an SQL CASE; {{new_event}}: the key among new_keys, or true when every event of the archive is
-- new; the filter as in archive-keys.sql; the log rows' keys from archive_log_events (archive-log-events.sql).
INSERT INTO ai_observer_import_events (tool, event_key, rank, ts, file_path)
SELECT tool, key, -1, ts, $file
FROM (
  SELECT tool, key, min(ts) AS ts
  FROM (
    SELECT {{tool}} AS tool, key, ts
    FROM (
      SELECT service, key, ts FROM archive_log_events
      UNION ALL
      SELECT ServiceName, import_key(Attributes), Timestamp
      FROM archive_metrics WHERE {{filter}}
    ) a
    WHERE key IS NOT NULL
      AND {{new_event}}
  )
  WHERE tool IS NOT NULL
  GROUP BY tool, key
) n
WHERE NOT EXISTS (SELECT 1 FROM ai_observer_import_events e WHERE e.tool = n.tool AND e.event_key = n.key)
