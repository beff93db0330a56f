import type { DuckDBConnection } from "../db/duckdb.ts";
import type { DuckDBMemory } from "../db/duckdb-memory.ts";
import { withTempTable } from "../db/temp-table.ts";
import type { ToolId } from "../shared/sources.ts";
import type { ChosenEvents } from "../staging/chosen-events.ts";
import type { ColumnBuilder, ColumnSpec } from "../parquet/column-builder.ts";
import { writeScratchRows } from "./scratch-parquet.ts";

/** What the choice between copies of an event looks at in the stored one. */
export interface StoredCopy {
  rank: number;
  timestamp: string;
  /** It has no cost rows: its model (or its advisor's) was unpriced when it was stored. */
  unpriced: boolean;
}

export interface StoredEvent extends StoredCopy {
  key: string;
}

const COPY_COLUMNS = "e.rank, strftime(e.ts, '%Y-%m-%d %H:%M:%S.%f'), coalesce(e.unpriced, false)";

function storedCopy(rank: unknown, timestamp: unknown, unpriced: unknown): StoredCopy {
  return { rank: Number(rank), timestamp: String(timestamp), unpriced: unpriced === true };
}

const CHOSEN_KEY_COLUMNS: readonly ColumnSpec[] = [
  { name: "row", kind: "INTEGER" },
  { name: "event_key", kind: "VARCHAR" },
];

/** Writes each chosen event's row number and key to the Parquet file `path`, straight from the key file: no string per key. */
async function writeChosenKeys(chosen: ChosenEvents, path: string): Promise<void> {
  await writeScratchRows(path, CHOSEN_KEY_COLUMNS, async (writer) => {
    for (let row = 0; row < chosen.size; row++) {
      // The writer's columns are new after each row group.
      const [number, key] = writer.row as [ColumnBuilder, ColumnBuilder];
      number.pushNumber(row);
      chosen.writeKey(row, key);
      const flushing = writer.endRow();
      if (flushing) await flushing;
    }
  });
}

/**
 * The stored copy of each of the chosen events of `tool` that was imported before, by the event's row in `chosen`.
 * The keys go to DuckDB as a Parquet file in the run's scratch folder (`scratchFile`), joined as it is read under
 * DuckDB's bound for the import, which the join keeps to by spilling: 2.38 million rows of Gemini sessions (~900,000
 * events) into a database holding 1.28 million of the tool's events peaked at 611-686 MB while a temporary table of
 * the keys was joined without a bound (docs/performance.md, "Imports"). Should DuckDB still run out of memory, the
 * lookup runs again with more (DuckDBMemory.retryInTransaction).
 */
export async function storedCopies(memory: DuckDBMemory, tool: ToolId, chosen: ChosenEvents, scratchFile: string): Promise<Map<number, StoredCopy>> {
  const { connection } = memory;
  // A first import (of this tool) has nothing to look up.
  const any = await connection.runAndReadAll("SELECT EXISTS (SELECT 1 FROM ai_observer_import_events WHERE tool = $tool)", { tool });
  if (any.getRows()[0]?.[0] !== true || chosen.size === 0) return new Map();
  await writeChosenKeys(chosen, scratchFile);
  const reader = await memory.retryInTransaction(() =>
    connection.runAndReadAll(
      `SELECT v.row, ${COPY_COLUMNS}
       FROM ai_observer_import_events e JOIN read_parquet($file) v ON v.event_key = e.event_key
       WHERE e.tool = $tool`,
      { tool, file: scratchFile },
    ),
  );
  return new Map(reader.getRows().map(([row, rank, timestamp, unpriced]) => [Number(row), storedCopy(rank, timestamp, unpriced)]));
}

/**
 * The stored events of `tool` that came from `files` (read again by a newer parser version) and whose keys are not among
 * `remade`, the keys the new reading makes: an older parser version counted them (a Codex `token_count` delta that
 * a `token_usage_record` now stands for, say), and they would be counted twice.
 */
export async function eventsNoLongerMade(connection: DuckDBConnection, tool: ToolId, files: ReadonlySet<string>, remade: ReadonlySet<string>): Promise<StoredEvent[]> {
  const rows = (function* () {
    for (const value of files) yield { value };
  })();
  const reader = await withTempTable(connection, "import_by_file_path", { value: "VARCHAR" }, rows, () =>
    connection.runAndReadAll(
      `SELECT e.event_key, ${COPY_COLUMNS}
       FROM ai_observer_import_events e JOIN import_by_file_path v ON v.value = e.file_path
       WHERE e.tool = $tool`,
      { tool },
    ),
  );
  const stored = reader.getRows().map(([key, rank, timestamp, unpriced]) => ({ key: String(key), ...storedCopy(rank, timestamp, unpriced) }));
  return stored.filter((event) => !remade.has(event.key));
}
