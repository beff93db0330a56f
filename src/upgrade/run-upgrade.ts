import { existsSync, linkSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { DatabaseLocation } from "../db/locate.ts";
import { loadDuckDB, type DuckDBConnection, type DuckDBInstance } from "../db/duckdb.ts";
import { spillToScratch } from "../db/duckdb-memory.ts";
import { checkDatabaseFile, describeOpenError, threadsConfig } from "../db/open.ts";
import { NEW_DATABASE_STORAGE, storageAtLeast, storageVersion } from "../db/storage-version.ts";
import { sqlString } from "../db/sql-template.ts";
import { copyIndexes, copyRows, type DatabaseCatalog, hasTelemetryTables, readCatalog, rowDifferences } from "../db/storage-copy.ts";
import { CliError, errorMessage, firstLine } from "../shared/errors.ts";
import { syncFile, syncFolder } from "../shared/fs-durable.ts";
import { onInterrupt } from "../shared/interrupts.ts";
import { removeLeftovers, runTag } from "../shared/run-tag.ts";
import type { RunSettings } from "../shared/run-settings.ts";

export interface UpgradeOptions {
  location: DatabaseLocation;
  dryRun: boolean;
  yes: boolean;
  /** What the run may use, read at the command (only its threads, for DuckDB). */
  settings: RunSettings;
}

export interface UpgradePreview {
  database: string;
  /** Where the original is kept once the upgraded copy is in its place. */
  backup: string;
  /** DuckDB's storage format of the file (`v1.0.0+`), and the one it gets. */
  storage: string;
  target: string;
  bytes: number;
  rows: Record<string, number>;
  indexes: number;
}

export interface UpgradeHooks {
  onPreview?(preview: UpgradePreview): void;
  confirm(preview: UpgradePreview): Promise<boolean>;
  /** Each step of the copy as it starts: a table's rows, then "indexes", then "check". */
  onStep?(step: string): void;
}

export interface UpgradeResult {
  /** current: already in the format (nothing done). */
  status: "upgraded" | "current" | "dry-run" | "aborted";
  preview: UpgradePreview;
  /** The upgraded file's size (upgraded only). */
  bytesAfter: number | null;
  ms: number;
}

const SOURCE = "source";

/** Attaches the database under SOURCE, turning DuckDB's errors into the same lines as every other open. */
async function attachSource(connection: DuckDBConnection, path: string, readOnly: boolean): Promise<void> {
  try {
    await connection.run(`ATTACH ${sqlString(path)} AS ${SOURCE}${readOnly ? " (READ_ONLY)" : ""}`);
  } catch (error) {
    throw new CliError(describeOpenError(path, error));
  }
}

/** The catalog of the database attached as SOURCE, which must be AI Observer's. */
async function sourceCatalog(connection: DuckDBConnection, path: string): Promise<DatabaseCatalog> {
  let catalog: DatabaseCatalog;
  try {
    catalog = await readCatalog(connection, SOURCE);
  } catch (error) {
    throw new CliError(`cannot upgrade ${path}: ${firstLine(errorMessage(error))}`);
  }
  if (!hasTelemetryTables(catalog)) throw new CliError(`not an AI Observer database (no otel_logs, otel_metrics and otel_traces tables): ${path}`);
  return catalog;
}

async function describe(connection: DuckDBConnection, path: string): Promise<UpgradePreview> {
  const catalog = await sourceCatalog(connection, path);
  return {
    database: path,
    backup: `${path}.before-upgrade`,
    storage: await storageVersion(connection, SOURCE),
    target: `${NEW_DATABASE_STORAGE}+`,
    bytes: statSync(path).size,
    rows: Object.fromEntries(catalog.tables.map((table) => [table.name, table.rows])),
    indexes: catalog.indexes.length,
  };
}

/** What the file is now: a write by another process between our check and our rename would change it. */
function fileState(path: string): string {
  const stats = statSync(path);
  return `${stats.size}:${stats.mtimeMs}:${existsSync(`${path}.wal`)}`;
}

/** Whether two names are links to one file (a run killed between linking the original and the rename left that). */
function sameFile(a: string, b: string): boolean {
  const [first, second] = [statSync(a), statSync(b)];
  return first.ino === second.ino && first.dev === second.dev;
}

/**
 * Puts the checked copy in the database's place and keeps the original beside it: a hard link to the original first,
 * then the copy renamed over the database's name (one atomic step: at every moment the name is a whole database).
 * Where the file system has no hard links, the original is renamed, then the copy.
 */
function swapIntoPlace(copy: string, path: string, backup: string): void {
  let linked = true;
  try {
    linkSync(path, backup);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" && !sameFile(backup, path)) throw error;
    if (code !== "EEXIST") {
      renameSync(path, backup);
      linked = false;
    }
  }
  try {
    renameSync(copy, path);
  } catch (error) {
    if (linked) rmSync(backup, { force: true });
    else renameSync(backup, path);
    throw error;
  }
  syncFolder(dirname(path));
}

/**
 * Writes the database again in the storage format our import creates databases in (NEW_DATABASE_STORAGE): every
 * table, row, view and index, into a new file beside it, checked against the original, synced, then swapped into
 * its place, the original kept as `<database>.before-upgrade`. A database already in that format is left alone.
 */
export async function runUpgrade(options: UpgradeOptions, hooks: UpgradeHooks): Promise<UpgradeResult> {
  const started = performance.now();
  const path = options.location.path;
  checkDatabaseFile(path);
  const duckdb = await loadDuckDB();
  const looked = await duckdb.DuckDBInstance.create(":memory:", threadsConfig(options.settings.threads));
  const lookConnection = await looked.connect();
  let preview: UpgradePreview;
  try {
    await attachSource(lookConnection, path, true);
    preview = await describe(lookConnection, path);
  } finally {
    lookConnection.closeSync();
    looked.closeSync();
  }
  const result = (status: UpgradeResult["status"], bytesAfter: number | null = null): UpgradeResult => ({ status, preview, bytesAfter, ms: performance.now() - started });
  if (storageAtLeast(preview.storage, NEW_DATABASE_STORAGE)) return result("current");
  if (existsSync(preview.backup) && !sameFile(preview.backup, path)) throw new CliError(`a file is in the way of the original's copy: ${preview.backup}; move or remove it, then run again`);
  hooks.onPreview?.(preview);
  if (options.dryRun) return result("dry-run");
  if (!options.yes && !(await hooks.confirm(preview))) return result("aborted");

  const folder = dirname(path);
  const prefix = `${basename(path)}.upgrading-`;
  removeLeftovers(folder, [prefix]);
  const copy = join(folder, `${prefix}${runTag()}-db`);
  const removeCopy = () => {
    for (const file of [copy, `${copy}.wal`]) rmSync(file, { force: true });
  };
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  const stopInterrupting = onInterrupt(() => {
    connection?.interrupt();
    removeCopy();
  });
  const close = () => {
    connection?.closeSync();
    instance?.closeSync();
    connection = instance = undefined;
  };
  const open = async (config: Record<string, string>) => {
    try {
      instance = await duckdb.DuckDBInstance.create(copy, { ...threadsConfig(options.settings.threads), ...config });
    } catch (error) {
      throw new CliError(`cannot create ${copy}: ${firstLine(errorMessage(error))}`);
    }
    connection = await instance.connect();
    await spillToScratch(connection);
    return connection;
  };
  const step = (name: string) => hooks.onStep?.(name);
  const refuse = (what: string) => new CliError(`the copy differs from the database (${what}); the database was left as it was: ${path}`);
  let swapped = false;
  try {
    const copying = await open({ storage_compatibility_version: NEW_DATABASE_STORAGE });
    // Read-write: the lock keeps the Go server and other runs out while the rows are copied, and what the original's
    // WAL holds is checkpointed into it first, so that both are the same database.
    await attachSource(copying, path, false);
    await copying.run(`CHECKPOINT ${SOURCE}`);
    // Read again under the lock, after the checkpoint: what is copied.
    const catalog = await sourceCatalog(copying, path);
    await copyRows(copying, SOURCE, catalog, options.settings.duckdbMemoryLimit, step);
    step("check");
    const rowsDiffer = await rowDifferences(copying, SOURCE, catalog);
    if (rowsDiffer.length > 0) throw refuse(rowsDiffer.join(", "));
    await copying.run(`DETACH ${SOURCE}`);
    // Anything that writes the original from here on changes this; the swap checks it.
    const state = fileState(path);
    await copying.run("CHECKPOINT");
    close();
    // The indexes in a process state of their own: made right after the rows, the largest peaked ~50 MB higher.
    step("indexes");
    const indexing = await open({});
    const catalogDiffers = await copyIndexes(indexing, catalog);
    if (catalogDiffers.length > 0) throw refuse(catalogDiffers.join(", "));
    await indexing.run("CHECKPOINT");
    close();
    syncFile(copy);
    if (fileState(path) !== state) throw new CliError(`another process wrote to the database while it was upgraded; it was left as it was: ${path}`);
    swapIntoPlace(copy, path, preview.backup);
    swapped = true;
    return result("upgraded", statSync(path).size);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`upgrade failed, the database was left as it was: ${firstLine(errorMessage(error))}`);
  } finally {
    stopInterrupting();
    close();
    if (!swapped) removeCopy();
  }
}
