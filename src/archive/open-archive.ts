import { join } from "node:path";
import type { DuckDBConnection } from "../db/duckdb.ts";
import { spillToScratch } from "../db/duckdb-memory.ts";
import { openExistingDatabase, openMemoryDatabase, type OpenDatabase } from "../db/open.ts";
import { ScratchFolder } from "../db/scratch-files.ts";
import { CliError, errorMessage, firstLine } from "../shared/errors.ts";
import type { ArchiveLocation } from "./locate-archive.ts";
import { EXPORT_TABLES } from "./tables.ts";
import { extractParquetEntries } from "./zip-entries.ts";

/**
 * An archive opened for reading: a DuckDB connection in which `traces`, `logs` and `metrics` are views over its rows
 * (as in an export's views database, but with absolute paths, so from any working folder). Close it with
 * `await using` or `close()`: a ZIP's extracted copy goes with it.
 */
export interface OpenArchive extends AsyncDisposable {
  location: ArchiveLocation;
  connection: DuckDBConnection;
  close(): void;
}

/** A string literal for DuckDB SQL: views cannot take bound parameters. */
function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Views named `prefix` + traces, logs, metrics over the Parquet files in `folder` (TEMP: also in a read-write database). */
export async function viewsOverParquet(connection: DuckDBConnection, folder: string, prefix = ""): Promise<void> {
  for (const table of EXPORT_TABLES) {
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${prefix}${table.key} AS SELECT * FROM read_parquet(${sqlString(join(folder, table.file))})`);
  }
}

async function viewsOverTables(connection: DuckDBConnection): Promise<void> {
  for (const table of EXPORT_TABLES) await connection.run(`CREATE TEMP VIEW ${table.key} AS SELECT * FROM ${table.table}`);
}

async function openParquetFolder(folder: string, threads: number | null, shown: string): Promise<OpenDatabase> {
  const db = await openMemoryDatabase(":memory:", threads);
  try {
    await spillToScratch(db.connection);
    await viewsOverParquet(db.connection, folder);
    // Reading each view once finds a damaged or foreign Parquet file here, with its path, not in the middle of a query.
    for (const table of EXPORT_TABLES) await db.connection.run(`SELECT * FROM ${table.key} LIMIT 0`);
  } catch (error) {
    db.close();
    throw new CliError(`cannot read the export ${shown}: ${firstLine(errorMessage(error))}`);
  }
  return db;
}

/** An export's Parquet files in a folder: the export folder itself, or a ZIP's entries copied out (removed by `dispose`). */
export interface ExportFiles {
  folder: string;
  dispose(): void;
}

/** The Parquet files of an export folder or ZIP (`location.kind` "folder" or "zip"). */
export async function exportFiles(location: ArchiveLocation, shown: string): Promise<ExportFiles> {
  if (location.kind === "folder") return { folder: location.path, dispose: () => undefined };
  if (location.kind !== "zip") throw new Error(`not an export: ${location.kind}`);
  const scratch = new ScratchFolder("ai-observer-archive-");
  try {
    const found = await extractParquetEntries(location.path, scratch.dir).catch((error) => {
      throw new CliError(`cannot read the ZIP ${shown}: ${firstLine(errorMessage(error))}`);
    });
    const missing = EXPORT_TABLES.map((table) => table.file).filter((file) => !found.has(file));
    if (missing.length > 0) throw new CliError(`not an export ZIP (${missing.join(", ")} missing): ${shown}`);
  } catch (error) {
    scratch.dispose();
    throw error;
  }
  return { folder: scratch.dir, dispose: () => scratch.dispose() };
}

/** `threads`: DuckDB's threads (the run's setting); `shown`: the path as the user gave it, for messages. */
export async function openArchive(location: ArchiveLocation, threads: number | null, shown: string): Promise<OpenArchive> {
  if (location.kind === "database") {
    const db = await openExistingDatabase(location.path, { readOnly: true, threads });
    await viewsOverTables(db.connection).catch((error) => {
      db.close();
      throw new CliError(`cannot read the database ${shown}: ${firstLine(errorMessage(error))}`);
    });
    return { location, connection: db.connection, close: db.close, [Symbol.asyncDispose]: async () => db.close() };
  }
  const files = await exportFiles(location, shown);
  let db: OpenDatabase;
  try {
    db = await openParquetFolder(files.folder, threads, shown);
  } catch (error) {
    files.dispose();
    throw error;
  }
  const close = () => {
    db.close();
    files.dispose();
  };
  return { location, connection: db.connection, close, [Symbol.asyncDispose]: async () => close() };
}
