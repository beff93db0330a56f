import type { DuckDBConnection } from "../db/duckdb.ts";
import { boundExportMemory } from "../db/export-memory.ts";
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
  if (input.kind === "files") return openSessionFiles(input.tools, progress);
  // Read-only unless rows are deleted after archiving: other readers may keep it open.
  const db = await openExistingDatabase(input.location.path, mode);
  try {
    await boundExportMemory(db.connection);
  } catch (error) {
    db.close();
    throw error;
  }
  return { connection: db.connection, close: db.close };
}
