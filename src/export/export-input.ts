import type { DuckDBConnection } from "../db/duckdb.ts";
import { DuckDBMemory } from "../db/duckdb-memory.ts";
import type { DatabaseLocation } from "../db/locate.ts";
import { openExistingDatabase } from "../db/open.ts";
import type { RowFilter } from "../db/row-filter.ts";
import type { RunSettings } from "../shared/run-settings.ts";
import type { ToolId } from "../shared/sources.ts";
import type { ParseProgress } from "../staging/parse-run.ts";
import { countRows } from "./count-rows.ts";
import { openSessionFiles, type SessionFilesSummary } from "./session-input.ts";
import type { ExportTable, TableCounts } from "../archive/tables.ts";
import { writeParquet } from "./write-parquet.ts";

/** Where the rows come from: AI Observer's database, or session files parsed into memory. */
/** `transcripts`: session files' transcript rows too (see ParseContext.transcripts). */
/** `hostName`: recorded on the rows as `host.name` (shared/origin.ts); null: none. */
export type ExportInput = { kind: "database"; location: DatabaseLocation } | { kind: "files"; tools: ToolId[]; transcripts: boolean; hostName: string | null };

/** Rows to export, counted and written by table. */
export interface OpenInput {
  /** The rows of each table that `filter` selects: exactly what `writeTable` writes. */
  count(filter: RowFilter): Promise<TableCounts>;
  /** Writes the selected rows of `table` to `path` as ZSTD Parquet; returns the number of rows written. */
  writeTable(table: ExportTable, filter: RowFilter, path: string): Promise<number>;
  /**
   * The database, for what only a database has: one snapshot for the counts and the writes, and
   * deleting the exported rows afterwards. `null` for session files.
   */
  database: DuckDBConnection | null;
  /** Stops a running statement (Ctrl-C). */
  interrupt(): void;
  close(): void;
  /** For `--from-files`: what was read. */
  summary?: SessionFilesSummary;
}

/**
 * `settings`: the run's (run-settings.ts). `deleteAfter`: the exported rows are deleted afterwards, so the database is
 * opened for writing and the Parquet files say so (archive-mark.ts). `writes`: the filter the rows will be written
 * with, when they will be (not for a dry run): session files' logs may then be written while the files are parsed.
 */
export async function openExportInput(input: ExportInput, mode: { deleteAfter: boolean; settings: RunSettings; writes: RowFilter | null }, progress?: ParseProgress): Promise<OpenInput> {
  if (input.kind === "files") return openSessionFiles(input, mode.settings, progress, mode.writes);
  // Read-only unless rows are deleted after archiving: other readers may keep it open.
  const db = await openExistingDatabase(input.location.path, { readOnly: !mode.deleteAfter, threads: mode.settings.threads });
  const memory = new DuckDBMemory(db.connection, mode.settings.duckdbMemoryLimit);
  try {
    await memory.bound("export");
  } catch (error) {
    db.close();
    throw error;
  }
  const { connection } = db;
  return {
    count: (filter) => countRows(connection, filter),
    writeTable: (table, filter, path) => writeParquet(memory, table, filter, path, mode.deleteAfter),
    database: connection,
    interrupt: () => connection.interrupt(),
    close: db.close,
  };
}
