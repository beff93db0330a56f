import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "../db/duckdb.ts";
import type { DatabaseLocation } from "../db/locate.ts";
import { openExistingDatabase } from "../db/open.ts";
import type { ToolId } from "../sources.ts";
import type { ParseProgress } from "../sources/load-sessions.ts";
import { openSessionFiles, type SessionFilesSummary } from "./session-input.ts";

/** Where the rows come from: AI Observer's database, or session files parsed into memory. */
export type ExportInput = { kind: "database"; location: DatabaseLocation } | { kind: "files"; tools: ToolId[] };

export interface OpenInput {
  connection: DuckDBConnection;
  close(): void;
  /** For `--from-files`: what was read. */
  summary?: SessionFilesSummary;
}

export async function openExportInput(input: ExportInput, mode: { readOnly: boolean }, progress?: ParseProgress): Promise<OpenInput> {
  if (input.kind === "files") return openSessionFiles(input.tools, progress, boundCopyMemory);
  // Read-only unless rows are deleted after archiving: other readers may keep it open.
  const db = await openExistingDatabase(input.location.path, mode);
  await boundCopyMemory(db.connection);
  return { connection: db.connection, close: db.close };
}

/**
 * COPY keeps table order by default and buffers for it (1.7 GB on 5 million rows here). The
 * Parquet row order means nothing (the Go original has no ORDER BY either), so drop it, and
 * cap DuckDB's buffer memory so that exports stay small on any history.
 */
export async function boundCopyMemory(connection: DuckDBConnection): Promise<void> {
  await connection.run("SET preserve_insertion_order = false");
  await connection.run("SET memory_limit = $limit", { limit: process.env.AI_OBSERVER_MEMORY_LIMIT || "256MB" });
  // Spill, if ever needed, to the system's temporary folder: the database's own folder may be read-only.
  await connection.run("SET temp_directory = $dir", { dir: join(tmpdir(), `ai-observer-duckdb-${process.pid}`) });
}
