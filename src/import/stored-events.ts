import type { DuckDBConnection } from "../db/duckdb.ts";
import { withTempTable } from "../db/temp-table.ts";
import type { ToolId } from "../shared/sources.ts";

export interface StoredEvent {
  key: string;
  rank: number;
  timestamp: string;
  /** It has no cost rows: its model (or its advisor's) was unpriced when it was stored. */
  unpriced: boolean;
}

/** The stored events of `tool` whose `column` is one of `values` (joined through a temporary table). */
async function storedWhere(connection: DuckDBConnection, tool: ToolId, column: "event_key" | "file_path", values: Iterable<string>): Promise<StoredEvent[]> {
  const rows = (function* () {
    for (const value of values) yield { value };
  })();
  const table = `import_by_${column}`;
  const reader = await withTempTable(connection, table, { value: "VARCHAR" }, rows, () =>
    connection.runAndReadAll(
      `SELECT e.event_key, e.rank, strftime(e.ts, '%Y-%m-%d %H:%M:%S.%f'), coalesce(e.unpriced, false)
       FROM ai_observer_import_events e JOIN ${table} v ON v.value = e.${column}
       WHERE e.tool = $tool`,
      { tool },
    ),
  );
  return reader.getRows().map(([key, rank, timestamp, unpriced]) => ({ key: String(key), rank: Number(rank), timestamp: String(timestamp), unpriced: unpriced === true }));
}

/** The stored copy (rank and timestamp) of each of `keys` that was imported before. */
export async function storedEvents(connection: DuckDBConnection, tool: ToolId, keys: Iterable<string>): Promise<Map<string, StoredEvent>> {
  // A first import (of this tool) has nothing to look up.
  const any = await connection.runAndReadAll("SELECT EXISTS (SELECT 1 FROM ai_observer_import_events WHERE tool = $tool)", { tool });
  if (any.getRows()[0]?.[0] !== true) return new Map();
  return new Map((await storedWhere(connection, tool, "event_key", keys)).map((event) => [event.key, event]));
}

/**
 * The stored events that came from `files` (read again by a newer parser version) and whose keys are not among
 * `remade`, the keys the new reading makes: an older parser version counted them (a Codex `token_count` delta that
 * a `token_usage_record` now stands for, say), and they would be counted twice.
 */
export async function eventsNoLongerMade(connection: DuckDBConnection, tool: ToolId, files: ReadonlySet<string>, remade: ReadonlySet<string>): Promise<StoredEvent[]> {
  return (await storedWhere(connection, tool, "file_path", files)).filter((event) => !remade.has(event.key));
}
