import { existsSync, rmSync } from "node:fs";
import { createAttributeMacros } from "../db/attribute-macros.ts";
import type { DatabaseLocation } from "../db/locate.ts";
import type { DuckDBConnection } from "../db/duckdb.ts";
import { openMemoryDatabase, openOrCreateDatabase, type OpenDatabase } from "../db/open.ts";
import { completePendingIndexes, indexesPending } from "../db/pending-indexes.ts";
import { CliError, errorMessage, firstLine } from "../shared/errors.ts";
import { formatCount } from "../shared/format.ts";
import type { CommitProgress } from "./commit-parts.ts";

/** The database an import writes into, created when missing; a dry run against a database that does not exist yet plans against an empty one in memory. */
export async function openForImport(location: DatabaseLocation, dryRun: boolean, threads: number | null): Promise<OpenDatabase> {
  const db = !dryRun || existsSync(location.path) ? await openOrCreateDatabase(location.path, threads) : await openMemoryDatabase(location.path, threads);
  try {
    await createAttributeMacros(db.connection);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * `db` closed and its file opened again for an import that goes on (a COMMIT's memory given back: commit-parts.ts).
 * The connection and the instance are closed first (db.close): an instance kept open by a live connection would go on
 * writing the file beside the new one (DuckDB's lock is per process).
 */
export function reopenForImport(db: OpenDatabase, location: DatabaseLocation, threads: number | null): Promise<OpenDatabase> {
  db.close();
  return openForImport(location, false, threads);
}

/** A run that imported nothing leaves no new, empty database behind. */
export function removeNewDatabase(path: string): void {
  for (const file of [path, `${path}.wal`]) rmSync(file, { force: true });
}

/**
 * An import's failure as the user sees it: ours as they are, anything else in one line, saying nothing was imported;
 * `indexesDropped`: the import dropped the database's indexes to add its rows (prepareIndexesForImport), and says who
 * makes them; `committedParts`: an import that commits in parts (commit-parts.ts) says what it committed before.
 */
export function importFailure(error: unknown, { indexesDropped = false, committedParts = null }: { indexesDropped?: boolean; committedParts?: Pick<CommitProgress, "committed" | "of" | "rows"> | null } = {}): CliError {
  const failure = plainFailure(error);
  if (committedParts !== null && committedParts.committed > 0) {
    const { committed, of, rows } = committedParts;
    const cause = error instanceof CliError ? failure.message : firstLine(errorMessage(error));
    return new CliError(`import failed after committing ${committed} of its ${of} parts (${formatCount(rows)} rows); the next import adds the rest: ${cause}`, failure.exitCode);
  }
  if (!indexesDropped) return failure;
  return new CliError(`${failure.message} (the database's indexes, dropped to add its rows, are made again by the next import)`, failure.exitCode);
}

function plainFailure(error: unknown): CliError {
  return error instanceof CliError ? error : new CliError(`import failed, nothing was imported: ${firstLine(errorMessage(error))}`);
}

/**
 * After an import's COMMIT: the indexes a database we created waits for (db/pending-indexes.ts). Its rows are in
 * whatever happens here, and a failure says so.
 */
export async function addPendingIndexes(connection: DuckDBConnection): Promise<void> {
  try {
    await completePendingIndexes(connection);
  } catch (error) {
    throw indexFailure(error);
  }
}

function indexFailure(error: unknown): CliError {
  return new CliError(`the rows were imported, but adding the database's indexes failed (the next import adds them): ${firstLine(errorMessage(error))}`);
}

/**
 * addPendingIndexes in a DuckDB instance of its own: when indexes are pending, `db` is closed and the database opened
 * again, which the caller then closes (`reopened`, also when this fails). What the import's instance still held (its
 * temporary tables, the table blocks it cached, its allocator's free memory) would otherwise count against the
 * indexes' memory bound or stay resident beside them: an archive import of 5.6 million rows peaked at 633-641 MB while
 * making them in the same instance, 552-578 MB in a new one (docs/performance.md [S16]). Another process may
 * take the database while it is closed: the indexes then wait for the next import, as after a run killed here.
 */
export async function addPendingIndexesAfresh(db: OpenDatabase, location: DatabaseLocation, threads: number | null, reopened: (db: OpenDatabase) => void): Promise<void> {
  try {
    if (!(await indexesPending(db.connection))) return;
    db.close();
    // This thread's garbage, and the pages Bun's allocator keeps free, go back first: the archive import of 5.6
    // million rows peaked at 486-497 MB so, 502 MB without.
    Bun.gc(true);
    const fresh = await openOrCreateDatabase(location.path, threads);
    reopened(fresh);
    await completePendingIndexes(fresh.connection);
  } catch (error) {
    throw indexFailure(error);
  }
}
