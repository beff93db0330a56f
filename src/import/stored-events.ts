import type { DuckDBConnection } from "../db/duckdb.ts";
import { withTempTable } from "../db/temp-table.ts";
import type { ToolId } from "../sources.ts";

export interface StoredEvent {
  /** Set where the event is known by its stored copy alone (`eventsNoLongerMade`). */
  key?: string;
  rank: number;
  timestamp: string;
}

/**
 * The stored events that came from `files` (read again by a newer parser version) and whose keys are not among
 * `remade`, the keys the new reading makes: an older parser version counted them (a Codex `token_count` delta that
 * a `token_usage_record` now stands for, say), and they would be counted twice.
 */
export async function eventsNoLongerMade(connection: DuckDBConnection, tool: ToolId, files: ReadonlySet<string>, remade: ReadonlySet<string>): Promise<StoredEvent[]> {
  const rows = (function* () {
    for (const path of files) yield { file_path: path };
  })();
  const reader = await withTempTable(connection, "import_reread", { file_path: "VARCHAR" }, rows, () =>
    connection.runAndReadAll(
      `SELECT e.event_key, e.rank, strftime(e.ts, '%Y-%m-%d %H:%M:%S.%f')
       FROM ai_observer_import_events e JOIN import_reread f ON f.file_path = e.file_path
       WHERE e.tool = $tool`,
      { tool },
    ),
  );
  const obsolete: StoredEvent[] = [];
  for (const [key, rank, timestamp] of reader.getRows()) {
    if (!remade.has(String(key))) obsolete.push({ key: String(key), rank: Number(rank), timestamp: String(timestamp) });
  }
  return obsolete;
}

/** The stored copy (rank and timestamp) of each of `keys` that was imported before. */
export async function storedEvents(connection: DuckDBConnection, tool: ToolId, keys: Iterable<string>): Promise<Map<string, StoredEvent>> {
  const stored = new Map<string, StoredEvent>();
  // A first import (of this tool) has nothing to look up.
  const any = await connection.runAndReadAll("SELECT EXISTS (SELECT 1 FROM ai_observer_import_events WHERE tool = $tool)", { tool });
  if (any.getRows()[0]?.[0] !== true) return stored;
  const rows = (function* () {
    for (const key of keys) yield { event_key: key };
  })();
  const reader = await withTempTable(connection, "import_candidates", { event_key: "VARCHAR" }, rows, () =>
    connection.runAndReadAll(
      `SELECT e.event_key, e.rank, strftime(e.ts, '%Y-%m-%d %H:%M:%S.%f')
       FROM ai_observer_import_events e JOIN import_candidates c ON c.event_key = e.event_key
       WHERE e.tool = $tool`,
      { tool },
    ),
  );
  for (const [key, rank, timestamp] of reader.getRows()) stored.set(String(key), { rank: Number(rank), timestamp: String(timestamp) });
  return stored;
}
