import { join } from "node:path";
import type { DuckDBConnection } from "../db/duckdb.ts";
import { spillToScratch } from "../db/duckdb-memory.ts";
import { openExistingDatabase, openMemoryDatabase, type OpenDatabase } from "../db/open.ts";
import { ScratchFolder } from "../db/scratch-files.ts";
import { sqlString } from "../db/sql-template.ts";
import { CliError, errorMessage, firstLine } from "../shared/errors.ts";
import type { ArchiveLocation } from "./locate-archive.ts";
import { partitionFiles } from "./lake-files.ts";
import { lakeTableQuery } from "./lake-views.ts";
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

/**
 * Views named `prefix` + traces, logs, metrics over the Parquet files of an export in `folder`, or over the partitions
 * of a lake (with its partition columns `date` and `service` after the table's). TEMP: also in a read-write database.
 */
async function viewsOverFiles(connection: DuckDBConnection, files: ExportFiles, prefix: string): Promise<void> {
  const partitions = files.lake ? partitionFiles(files.folder) : [];
  for (const table of EXPORT_TABLES) {
    const source = files.lake
      ? lakeTableQuery(table, partitions.filter((file) => file.table === table.key).map((file) => join(files.folder, file.name)))
      : `SELECT * FROM read_parquet(${sqlString(join(files.folder, table.file))})`;
    await connection.run(`CREATE OR REPLACE TEMP VIEW ${prefix}${table.key} AS ${source}`);
  }
}

async function viewsOverTables(connection: DuckDBConnection): Promise<void> {
  for (const table of EXPORT_TABLES) await connection.run(`CREATE TEMP VIEW ${table.key} AS SELECT * FROM ${table.table}`);
}

async function openParquetFiles(files: ExportFiles, threads: number | null, shown: string): Promise<OpenDatabase> {
  const db = await openMemoryDatabase(":memory:", threads);
  try {
    await spillToScratch(db.connection);
    await files.createViews(db.connection, "");
    // Reading each view once finds a damaged or foreign Parquet file here, with its path, not in the middle of a query.
    for (const table of EXPORT_TABLES) await db.connection.run(`SELECT * FROM ${table.key} LIMIT 0`);
  } catch (error) {
    db.close();
    throw new CliError(`cannot read the export ${shown}: ${firstLine(errorMessage(error))}`);
  }
  return db;
}

/** An export's Parquet files in a folder: the export folder or lake itself, or a ZIP's entries copied out (removed by `dispose`). */
export interface ExportFiles {
  folder: string;
  /** A lake's partitions rather than three files. */
  lake: boolean;
  /** Views named `prefix` + traces, logs, metrics over the files, in `connection` (TEMP). */
  createViews(connection: DuckDBConnection, prefix: string): Promise<void>;
  dispose(): void;
}

function filesIn(folder: string, lake: boolean, dispose: () => void): ExportFiles {
  const files: ExportFiles = { folder, lake, createViews: (connection, prefix) => viewsOverFiles(connection, files, prefix), dispose };
  return files;
}

/** The Parquet files of an export folder, a lake or an export ZIP (any kind but a database). */
export async function exportFiles(location: ArchiveLocation, shown: string): Promise<ExportFiles> {
  if (location.kind === "folder" || location.kind === "lake") return filesIn(location.path, location.kind === "lake", () => undefined);
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
  return filesIn(scratch.dir, false, () => scratch.dispose());
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
    db = await openParquetFiles(files, threads, shown);
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
