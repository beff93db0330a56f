import { existsSync, linkSync, mkdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CliError, errorMessage, firstLine } from "../shared/errors.ts";
import { loadDuckDB, type DuckDBConnection, type DuckDBInstance } from "./duckdb.ts";
import { fsReason } from "../shared/fs-errors.ts";
import { syncFile, syncFolder } from "../shared/fs-durable.ts";
import { removeLeftovers, runTag } from "../shared/run-tag.ts";
import { markIndexesPending } from "./pending-indexes.ts";
import { sqlString } from "./sql-template.ts";
import { NEW_DATABASE_STORAGE } from "./storage-version.ts";
import { createImportSchema, createSchema, missingTelemetryTables, type SchemaOptions, TELEMETRY_TABLES } from "./schema.ts";

export interface OpenDatabase {
  path: string;
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  close(): void;
}

export interface OpenOptions {
  readOnly: boolean;
  /** DuckDB's threads (threads.ts); null or absent: DuckDB's default, every core. */
  threads?: number | null;
  /** How long to keep retrying while another process holds the lock. */
  lockWaitMs?: number;
}

const LOCK_RETRY_MS = 250;
const DEFAULT_LOCK_WAIT_MS = 2_000;

/** Turns DuckDB's open errors into one line a user can act on. */
export function describeOpenError(path: string, error: unknown): string {
  const message = errorMessage(error);
  const lock = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(message);
  if (lock) {
    return `database is in use by another process (${lock[1]}, PID ${lock[2]}): ${path}; stop the AI Observer server or wait for the other run to finish`;
  }
  if (/Could not set lock on file/.test(message)) {
    return `database is in use by another process: ${path}; stop the AI Observer server or wait for the other run to finish`;
  }
  if (/not a valid DuckDB database file/.test(message)) return `not a DuckDB database, or the file is corrupt: ${path}`;
  if (/Permission denied/i.test(message)) return `cannot open database (permission denied): ${path}`;
  if (/version number|storage version|newer version/i.test(message)) {
    return `cannot open database ${path}: ${firstLine(message.replace(/^(IO|Serialization) Error: /, ""))}`;
  }
  return `cannot open database ${path}: ${firstLine(message.replace(/^[A-Za-z ]*Error: /, ""))}`;
}

function isLockError(error: unknown): boolean {
  return /Could not set lock on file/.test(errorMessage(error));
}

/**
 * DuckDB's threads: the run's setting (threads.ts, else every core), at most MAX_DUCKDB_THREADS. Each thread of a COPY
 * to Parquet or of an import's INSERT holds its own buffers, outside the memory limit: exporting the 5M-row
 * database took 357 MB with 2 threads, 417–438 MB with 4, 940 MB with 8 and 1.37 GB with 16 (smaller row groups or
 * ZSTD level 1 did not change that much: 660 MB with 16 threads and 8,192-row groups); a 2 GB import 331 MB with
 * 2 threads, 350–360 MB with 4, 844 MB with 16. Four keeps every command under 512 MB on any machine.
 */
const MAX_DUCKDB_THREADS = 4;

export function threadsConfig(threads: number | null | undefined): Record<string, string> {
  return { threads: String(Math.min(threads ?? (navigator.hardwareConcurrency || 1), MAX_DUCKDB_THREADS)) };
}

/**
 * The rows of a row group in the tables an import writes (DuckDB's default 122,880). A COMMIT of fewer rows than that
 * appends them to each table's last row group, and, the tables having indexes, the checkpoint writes that whole row
 * group again: a day's sessions into a database whose logs' last row group held 115,920 rows with the conversations' text
 * wrote 290 MB and took 7.3 s (the checkpoint at close 6.3 s), and every night until it is full would do the same. With
 * 8,192, the day's rows start a row group of their own and later nights rewrite at most 8,192 rows: that checkpoint 85
 * ms, 16 MB written (docs/performance.md, "The nightly import into a large database"). A database in the Go server's
 * older storage format keeps DuckDB's size (it has no other).
 */
const IMPORT_ROW_GROUP_ROWS = 8_192;

/** A DuckDB instance holding the file, and how to connect to it. */
interface FileInstance {
  instance: DuckDBInstance;
  connect(): Promise<DuckDBConnection>;
}

/** The name the file is attached under where its row groups are chosen (openInstance). */
const ATTACHED_AS = "ai_observer";

/**
 * Opens (or, read-write, creates) the file, waiting briefly while another process holds it. With `rowGroupRows`, the
 * file is attached to an instance in memory with that row group size (DuckDB sets it only so), and each connection
 * made through `connect` uses it.
 */
async function openInstance(path: string, options: OpenOptions & { rowGroupRows?: number }): Promise<FileInstance> {
  const duckdb = await loadDuckDB();
  const config: Record<string, string> = { access_mode: options.readOnly ? "READ_ONLY" : "READ_WRITE", ...threadsConfig(options.threads) };
  const deadline = Date.now() + (options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  for (;;) {
    try {
      if (options.rowGroupRows === undefined) {
        const instance = await duckdb.DuckDBInstance.create(path, config);
        return { instance, connect: () => instance.connect() };
      }
      return await attachWithRowGroups(await duckdb.DuckDBInstance.create(":memory:", config), path, options.rowGroupRows);
    } catch (error) {
      if (isLockError(error) && Date.now() < deadline) {
        await Bun.sleep(LOCK_RETRY_MS);
        continue;
      }
      throw new CliError(describeOpenError(path, error));
    }
  }
}

async function attachWithRowGroups(instance: DuckDBInstance, path: string, rowGroupRows: number): Promise<FileInstance> {
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH ${sqlString(path)} AS ${ATTACHED_AS} (ROW_GROUP_SIZE ${rowGroupRows})`);
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  connection.closeSync();
  const connect = async () => {
    const attached = await instance.connect();
    await attached.run(`USE ${ATTACHED_AS}`);
    return attached;
  };
  return { instance, connect };
}

/** A database that must already exist: the file is there and is a file (one line naming the path otherwise). */
export function checkDatabaseFile(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new CliError(`cannot open database ${path}: ${fsReason(error)}`);
    throw new CliError(`database not found: ${path} (give --db PATH or set AI_OBSERVER_DATABASE_PATH)`);
  }
  if (!stats.isFile()) throw new CliError(`database path is not a file: ${path}`);
}

/**
 * Opens a database that must already exist (export and delete never create one) and
 * checks that it has AI Observer's tables.
 */
export async function openExistingDatabase(path: string, options: OpenOptions): Promise<OpenDatabase> {
  checkDatabaseFile(path);
  const { instance, connect } = await openInstance(path, options);
  const connection = await connect();
  const close = () => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    const missing = await missingTelemetryTables(connection);
    if (missing.length > 0) {
      throw new CliError(`not an AI Observer database (no table ${missing.join(", ")}): ${path}`);
    }
  } catch (error) {
    close();
    if (error instanceof CliError) throw error;
    throw new CliError(describeOpenError(path, error));
  }
  return { path, instance, connection, close };
}

/**
 * Opens the database for import, creating the file (and its folder) when missing, and
 * makes sure AI Observer's tables and our import bookkeeping exist.
 */
export async function openOrCreateDatabase(path: string, threads: number | null = null): Promise<OpenDatabase> {
  if (existsSync(path) && !statSync(path).isFile()) throw new CliError(`database path is not a file: ${path}`);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw new CliError(`cannot create the database folder ${dirname(path)}: ${fsReason(error)}`);
  }
  if (!existsSync(path)) await createDatabaseFile(path);
  const opened = await openInstance(path, { readOnly: false, threads, rowGroupRows: IMPORT_ROW_GROUP_ROWS });
  let complete: boolean;
  try {
    complete = await refuseOtherApplications(await opened.connect(), path);
  } catch (error) {
    opened.instance.closeSync();
    throw error;
  }
  // A database with AI Observer's tables keeps the indexes its writer gave it (Go 0.4+ renamed some): only a new or
  // incomplete one gets them.
  return withSchemas(path, opened, complete ? { indexes: false } : { indexes: true, goMigrations: true });
}

/**
 * A database of another application (tables, but none of AI Observer's) is not made into ours: `--db` pointing at
 * the wrong file must not add tables to it. An empty database, or one of AI Observer's, is fine. True when all of
 * AI Observer's telemetry tables are there.
 */
async function refuseOtherApplications(connection: DuckDBConnection, path: string): Promise<boolean> {
  try {
    const reader = await connection.runAndReadAll(
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema NOT IN ('information_schema', 'pg_catalog') ORDER BY table_name",
    );
    const rows = reader.getRows().map(([schema, name]) => ({ schema: String(schema), name: String(name) }));
    const tables = rows.map((row) => row.name);
    const hasOurs = rows.some((row) => row.schema === "main" && (TELEMETRY_TABLES as readonly string[]).includes(row.name));
    if (tables.length > 0 && !hasOurs) {
      const shown = tables.slice(0, 3).join(", ") + (tables.length > 3 ? ", …" : "");
      throw new CliError(`not an AI Observer database (it holds other tables: ${shown}), so import leaves it alone: ${path}`);
    }
    const present = new Set(rows.filter((row) => row.schema === "main").map((row) => row.name));
    return TELEMETRY_TABLES.every((table) => present.has(table));
  } finally {
    connection.closeSync();
  }
}

/**
 * Makes a new database with AI Observer's tables and our bookkeeping (the indexes wait) under a temporary name beside
 * `path`, syncs it and links it into place: a run killed while DuckDB writes a new file's first blocks would
 * otherwise leave a file that is no valid database, and every later import would fail on it. What killed runs
 * left under the temporary name is removed first; a database another run created meanwhile is kept.
 */
async function createDatabaseFile(path: string): Promise<void> {
  const folder = dirname(path);
  const prefix = `${basename(path)}.creating-`;
  removeLeftovers(folder, [prefix]);
  const temp = join(folder, `${prefix}${runTag()}-db`);
  const duckdb = await loadDuckDB();
  try {
    // Its indexes come after its first import's rows (pending-indexes.ts).
    const instance = await duckdb.DuckDBInstance.create(temp, { storage_compatibility_version: NEW_DATABASE_STORAGE });
    const created = await withSchemas(temp, { instance, connect: () => instance.connect() }, { indexes: false, goMigrations: true });
    try {
      await markIndexesPending(created.connection);
      await created.connection.run("CHECKPOINT");
    } finally {
      created.close();
    }
    syncFile(temp);
    try {
      linkSync(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    syncFolder(folder);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot create the database ${path}: ${fsReason(error)}`);
  } finally {
    for (const file of [temp, `${temp}.wal`]) rmSync(file, { force: true });
  }
}

/** An empty database in memory with the same tables (no indexes): for --from-files and dry runs. */
export async function openMemoryDatabase(path = ":memory:", threads: number | null = null): Promise<OpenDatabase> {
  const duckdb = await loadDuckDB();
  const instance = await duckdb.DuckDBInstance.create(":memory:", threadsConfig(threads));
  return withSchemas(path, { instance, connect: () => instance.connect() }, { indexes: false });
}

async function withSchemas(path: string, { instance, connect }: FileInstance, options: SchemaOptions): Promise<OpenDatabase> {
  const connection = await connect();
  const close = () => {
    connection.closeSync();
    instance.closeSync();
  };
  try {
    // Row order in the tables means nothing; letting DuckDB ignore it speeds up large inserts.
    await connection.run("SET preserve_insertion_order = false");
    await createSchema(connection, options);
    await createImportSchema(connection);
  } catch (error) {
    close();
    throw new CliError(`cannot prepare database ${path}: ${firstLine(errorMessage(error))}`);
  }
  return { path, instance, connection, close };
}
