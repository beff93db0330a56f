-- ai-observer's own bookkeeping for incremental import, beside AI Observer's tables (which
-- keep their exact Go schema; the Go server ignores these).

-- Per session file: what we saw last time, to skip unchanged files without reading them.
CREATE TABLE IF NOT EXISTS ai_observer_import_files (
    tool VARCHAR NOT NULL,
    file_path VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    mtime_ms DOUBLE NOT NULL,
    events INTEGER NOT NULL,
    bad_lines INTEGER NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tool, file_path)
);

-- Per usage event (its key is the `import.key` attribute of its rows): the copy stored, so
-- dedup across files holds across runs and a more complete copy can replace it. One row per
-- (tool, event_key), kept so by the import (it deletes a replaced copy's row before adding the
-- new one), not by a primary key: DuckDB holds a transaction's rows of a keyed table in memory
-- until the COMMIT, ~640 bytes per event (docs/decisions.md, "Import"; schema.ts drops the key
-- of databases made before).
CREATE TABLE IF NOT EXISTS ai_observer_import_events (
    tool VARCHAR NOT NULL,
    event_key VARCHAR NOT NULL,
    rank DOUBLE NOT NULL,
    ts TIMESTAMP NOT NULL,
    file_path VARCHAR NOT NULL
);

-- Which parser version read each file (NULL: before versions were recorded); see SessionSource.parserVersion.
ALTER TABLE ai_observer_import_files ADD COLUMN IF NOT EXISTS parser_version INTEGER;

-- The price table (PriceCatalogue.id) that priced a file's events, and which stored events it left without a cost
-- (their model unpriced): a newer table is tried on those files again (see docs/parsers.md "Repair").
ALTER TABLE ai_observer_import_files ADD COLUMN IF NOT EXISTS prices VARCHAR;
ALTER TABLE ai_observer_import_events ADD COLUMN IF NOT EXISTS unpriced BOOLEAN;

-- Whether the file was read with its transcripts (import --transcripts); read again when a run wants them.
ALTER TABLE ai_observer_import_files ADD COLUMN IF NOT EXISTS transcripts BOOLEAN;

-- A row 'indexes' while a database we created lacks AI Observer's indexes: they are added once
-- its first import's rows are committed (docs/decisions.md, "Import"; db/pending-indexes.ts).
CREATE TABLE IF NOT EXISTS ai_observer_pending (work VARCHAR NOT NULL);
