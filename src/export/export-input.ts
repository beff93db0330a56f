import type { DuckDBConnection } from "../db/duckdb.ts";
import type { DatabaseLocation } from "../db/locate.ts";
import { openExistingDatabase } from "../db/open.ts";
import { CliError } from "../errors.ts";

/** Where the rows come from: AI Observer's database, or session files parsed into memory. */
export type ExportInput = { kind: "database"; location: DatabaseLocation } | { kind: "files" };

export interface OpenInput {
  connection: DuckDBConnection;
  close(): void;
}

export async function openExportInput(input: ExportInput, mode: { readOnly: boolean }): Promise<OpenInput> {
  if (input.kind === "files") {
    throw new CliError("--from-files is not available in this version yet; import the sessions into the database or export from it");
  }
  // Read-only unless rows are deleted after archiving: other readers may keep it open.
  const db = await openExistingDatabase(input.location.path, mode);
  return { connection: db.connection, close: db.close };
}
