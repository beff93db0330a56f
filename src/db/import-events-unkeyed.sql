-- A database made before the bookkeeping of events lost its primary key (import-schema.sql): the
-- table made again without it, with the same rows, in one transaction.
BEGIN TRANSACTION;
CREATE TABLE ai_observer_import_events_unkeyed (
    tool VARCHAR NOT NULL,
    event_key VARCHAR NOT NULL,
    rank DOUBLE NOT NULL,
    ts TIMESTAMP NOT NULL,
    file_path VARCHAR NOT NULL,
    unpriced BOOLEAN
);
INSERT INTO ai_observer_import_events_unkeyed (tool, event_key, rank, ts, file_path, unpriced)
SELECT tool, event_key, rank, ts, file_path, unpriced FROM ai_observer_import_events;
DROP TABLE ai_observer_import_events;
ALTER TABLE ai_observer_import_events_unkeyed RENAME TO ai_observer_import_events;
COMMIT;
