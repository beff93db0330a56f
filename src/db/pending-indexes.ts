import type { DuckDBConnection } from "./duckdb.ts";
import { defaultMemoryLimit, DuckDBMemory, fewerThreads, type ImportSize, indexMemoryLimit, onFewerThreads } from "./duckdb-memory.ts";
import { queryNumber } from "./query-number.ts";
import { INDEX_STATEMENTS } from "./schema.ts";
import { inOlderStorage } from "./storage-version.ts";

/**
 * From this many rows in the tables, an import into a database that waits for its indexes makes them after its
 * COMMIT; below, before its rows, over (nearly) empty tables: 25 indexes made over the 400 MB tree's 110,000 committed
 * rows took 0.4 s, about twice what the COMMIT spends keeping them up (docs/performance.md [S11]).
 */
const INDEXES_AFTER_ROWS = 1_000_000;

/** Marks a database we create: AI Observer's indexes come with its first import (docs/decisions.md, "Import"). */
export async function markIndexesPending(connection: DuckDBConnection): Promise<void> {
  await connection.run("INSERT INTO ai_observer_pending (work) VALUES ('indexes')");
}

/** What the last index transaction also does: the database no longer waits for its indexes. */
const FINISHED = "DELETE FROM ai_observer_pending WHERE work = 'indexes'";

/** Whether the database still waits for AI Observer's indexes. */
export async function indexesPending(connection: DuckDBConnection): Promise<boolean> {
  return (await queryNumber(connection, "SELECT count(*) FROM ai_observer_pending WHERE work = 'indexes'")) > 0;
}

async function setting(connection: DuckDBConnection, name: "memory_limit" | "checkpoint_threshold" | "max_vacuum_tasks"): Promise<string> {
  const reader = await connection.runAndReadAll(`SELECT current_setting('${name}')`);
  return String(reader.getRows()[0]?.[0]);
}

/** The table an index statement is on, and how many columns its key has. */
function indexTarget(statement: string): { table: string; columns: number } {
  const match = /\bON (\w+)\(([^)]*)\)/.exec(statement);
  if (!match) throw new Error(`not an index statement: ${statement}`);
  return { table: match[1] as string, columns: (match[2] as string).split(",").length };
}

/** The rows of each table the index statements are on. */
async function tableRows(connection: DuckDBConnection, statements: readonly string[]): Promise<Map<string, number>> {
  const rows = new Map<string, number>();
  for (const { table } of statements.map(indexTarget)) {
    if (!rows.has(table)) rows.set(table, await queryNumber(connection, `SELECT count(*) FROM ${table}`));
  }
  return rows;
}

/**
 * The statements with the rows of their tables (`rows`), the largest first: over the largest table, and there the
 * widest key first. An index's memory goes back once it is committed, but not all of it: DuckDB's allocator kept
 * 20-30 MB more after each, and the archive import of 5.6 million rows made its largest index, Go 0.4's
 * `(MetricName, ServiceName, Timestamp)` (336 MB in DuckDB's accounting for 5 million rows), at its peak when it came
 * last (docs/performance.md [S20]).
 */
export function largestFirst(statements: readonly string[], rows: ReadonlyMap<string, number>): { statement: string; rows: number }[] {
  return statements
    .map((statement) => {
      const { table, columns } = indexTarget(statement);
      return { statement, columns, rows: rows.get(table) ?? 0 };
    })
    .sort((a, b) => b.rows - a.rows || b.columns - a.columns)
    .map(({ statement, rows }) => ({ statement, rows }));
}

/**
 * Makes the indexes in transactions whose COMMIT checkpoints at once: with `checkpoint_threshold` at 0, DuckDB writes
 * no WAL for them, and a WAL holding a CREATE INDEX cannot be replayed by a read-only open (DuckDB 1.5.6: "Failure
 * while replaying WAL … Could not write file"), which every `export` and `query` is. Over large tables (`oneByOne`)
 * each index has its transaction, so that it leaves memory before the next is made, and is built under a bound sized
 * from its table (retried with more memory when it runs out), the largest first, on at most two of DuckDB's threads
 * (`fewerThreads`), the first, the widest key over the largest table, on one: on two, each thread builds a part of an
 * index and the parts are merged; merging the 5.6M-row export into a database holding its first half peaked at 505-520
 * MB in that index on two, 476 MB on one, which built it in 4.7-4.9 instead of 3.6 s (every index on one made an
 * archive import into a new database 57 instead of 47 s); every COMMIT runs under DuckDB's own limit: a checkpoint that
 * ran out of a tight bound ended in DuckDB's `FATAL Error`. The first of these checkpoints would also merge the partly
 * filled row groups each of DuckDB's threads left in every table the import filled (DuckDB's vacuum, which skips tables
 * that have indexes, so no later checkpoint does it): for 1 GB of Gemini sessions 1.5 s and ~400 MB above the rest of
 * the import, under DuckDB's own limit. It is turned off here (`max_vacuum_tasks`): a few row groups of a table stay
 * partly filled.
 */
async function makeIndexes(connection: DuckDBConnection, statements: readonly string[], oneByOne: boolean, last = ""): Promise<void> {
  const limit = await setting(connection, "memory_limit");
  const threshold = await setting(connection, "checkpoint_threshold");
  const vacuumTasks = await setting(connection, "max_vacuum_tasks");
  const threads = oneByOne ? await fewerThreads(connection) : null;
  await connection.run("SET checkpoint_threshold = '0b'");
  await connection.run("SET max_vacuum_tasks = 0");
  // What a finished index frees goes back to the system as the next is made (as for an archive import's rows).
  await connection.run("SET allocator_background_threads = true");
  const memory = new DuckDBMemory(connection);
  try {
    await connection.run("BEGIN TRANSACTION");
    if (oneByOne) {
      for (const [position, { statement, rows }] of largestFirst(statements, await tableRows(connection, statements)).entries()) {
        await connection.run("SET memory_limit = $bound", { bound: indexMemoryLimit(rows) });
        const makeIndex = async () => {
          await memory.retryInTransaction(() => connection.run(statement));
          await connection.run("SET memory_limit = $limit", { limit: defaultMemoryLimit() });
          await connection.run("COMMIT");
        };
        await (position === 0 ? onFewerThreads(connection, 1, makeIndex) : makeIndex());
        await connection.run("BEGIN TRANSACTION");
      }
    } else {
      for (const statement of statements) await connection.run(statement);
    }
    if (last) await connection.run(last);
    await connection.run("SET memory_limit = $limit", { limit: defaultMemoryLimit() });
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await connection.run("SET checkpoint_threshold = $threshold", { threshold });
    await connection.run("SET max_vacuum_tasks = $tasks", { tasks: Number(vacuumTasks) });
    await connection.run("SET memory_limit = $limit", { limit });
    if (threads !== null) await connection.run(`SET threads = ${threads}`);
  }
}

/**
 * In an import's transaction, before it writes anything: when the tables will then hold fewer than INDEXES_AFTER_ROWS
 * rows, or more than `keepAbove` (an import that commits its rows in parts: KEEP_INDEXES_ABOVE_ROWS; made after, the
 * largest index's ART would be held whole), ends the transaction (it has only read), makes the indexes a database we
 * created waits for (`pending`), and begins a new one. Only this process writes the database (DuckDB's lock), so what
 * the import planned still holds. True when it made them.
 */
async function addIndexesBeforeRows(connection: DuckDBConnection, rowsAfter: number, pending: boolean, keepAbove: number): Promise<boolean> {
  if ((rowsAfter >= INDEXES_AFTER_ROWS && rowsAfter <= keepAbove) || !pending) return false;
  await connection.run("COMMIT");
  try {
    await makeIndexes(connection, INDEX_STATEMENTS, false, FINISHED);
  } finally {
    await connection.run("BEGIN TRANSACTION");
  }
  return true;
}

/** The name of the index an index statement makes. */
function indexName(statement: string): string {
  const match = /^CREATE INDEX IF NOT EXISTS (\w+) ON /.exec(statement);
  if (!match) throw new Error(`not an index statement: ${statement}`);
  return match[1] as string;
}

/**
 * In an import's transaction, before it writes anything, when it will add `rowsAdded` rows (INDEXES_AFTER_ROWS or more,
 * and at least half the `rowsBefore` there) to a database that holds its indexes: ends the transaction (it has only
 * read), drops the indexes and marks them pending in a transaction of its own, and begins a new one; the import's
 * COMMIT then adds its rows without them and completePendingIndexes makes them again, one at a time under a bound, as
 * for a new database. DuckDB appends an INSERT's rows at the COMMIT by merging the row groups it wrote ahead only into
 * a table that had no index when the transaction began; otherwise it appends them again there, in memory: 2.5 million
 * metric rows added to a table of 2.5 million ran out of 400 MB at the COMMIT and took 710 MB with 1 GB, with the
 * indexes dropped in the same transaction too, and 0.11 s at 383 MB with them dropped before it; 3.35 million rows into
 * 5.5 million peaked at 692 MB kept, 593 MB made again. Making them again takes memory by the rows of the table
 * (indexMemoryLimit), so an import that adds less than half of that keeps them: 1.07 million rows into 11 million took
 * 21 s and 705 MB kept, 64 s and 979 MB made again (docs/performance.md, "Imports"); so does one after which the
 * tables will hold more than `keepAbove` rows (an import that commits its rows in parts: KEEP_INDEXES_ABOVE_ROWS). Only
 * where the database has every index INDEX_STATEMENTS makes (ours, or the Go server's 0.5 set): one with another set
 * keeps its own. A run that fails or is killed after this leaves the mark, and the next import makes them (the Go
 * server, which adds missing indexes on every open, would too). True when it dropped them.
 */
async function dropIndexesBeforeRows(connection: DuckDBConnection, rowsBefore: number, rowsAdded: number, pending: boolean, keepAbove: number): Promise<boolean> {
  if (rowsAdded < INDEXES_AFTER_ROWS || rowsAdded * 2 < rowsBefore || rowsBefore + rowsAdded > keepAbove || pending) return false;
  const reader = await connection.runAndReadAll("SELECT index_name FROM duckdb_indexes() WHERE database_name = current_database()");
  const present = new Set(reader.getRows().map((row) => String(row[0])));
  const names = INDEX_STATEMENTS.map(indexName);
  if (!names.every((name) => present.has(name))) return false;
  await connection.run("COMMIT");
  try {
    await connection.run("BEGIN TRANSACTION");
    for (const name of names) await connection.run(`DROP INDEX ${name}`);
    await markIndexesPending(connection);
    await connection.run("COMMIT");
  } catch (error) {
    await connection.run("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await connection.run("BEGIN TRANSACTION");
  }
  return true;
}

/**
 * Over this many rows in the telemetry tables after it, an import that can commit its rows in parts (commit-parts.ts)
 * keeps the indexes instead of dropping them (dropIndexesBeforeRows), and makes those a new database waits for before
 * its rows (addIndexesBeforeRows): making them after the rows holds the largest one's ART in memory, ~72 bytes per
 * metric row (indexMemoryLimit). 1 GB of Gemini sessions (3.35 million rows) into 5 million metric rows (v1.2) peaked
 * at 602 MB in 61 s with them made again, 439-445 MB in 95-97 s with them kept and the rows committed in parts; the
 * 5.6M-row archive's into a new database (5 million metric rows) at 477-503 MB. Into a new database, with this at 3
 * million, the same sessions took 98 s (435 MB, the parse's peak) against 49 s with the indexes made after.
 */
const KEEP_INDEXES_ABOVE_ROWS = 4_000_000;

/**
 * In an import's transaction, before it writes anything: what it does with the database's indexes for the `rowsAdded`
 * rows it will add to the `rowsBefore` there (addIndexesBeforeRows, else dropIndexesBeforeRows, which keeps them when
 * the tables will hold more than `keepAbove` rows). `dropped`: they are pending until made again after the COMMIT;
 * `pending`: whether they are then, dropped or made after a new database's rows.
 */
async function prepareIndexes(connection: DuckDBConnection, rowsBefore: number, rowsAdded: number, keepAbove = Number.POSITIVE_INFINITY): Promise<{ dropped: boolean; pending: boolean }> {
  const pending = await indexesPending(connection);
  if (await addIndexesBeforeRows(connection, rowsBefore + rowsAdded, pending, keepAbove)) return { dropped: false, pending: false };
  const dropped = await dropIndexesBeforeRows(connection, rowsBefore, rowsAdded, pending, keepAbove);
  return { dropped, pending: pending || dropped };
}

/** prepareIndexes for `rowsAdded` rows into `rowsBefore`. True when it dropped the indexes. */
export async function prepareIndexesForRows(connection: DuckDBConnection, rowsBefore: number, rowsAdded: number): Promise<boolean> {
  return (await prepareIndexes(connection, rowsBefore, rowsAdded)).dropped;
}

/**
 * prepareIndexes for an import of `size` (its rows before and added known), noting in it what the COMMIT's memory bound
 * counts: whether the tables keep their indexes through it (`size.indexed`), and whether the database's storage format
 * has the COMMIT load them whole (`size.wholeIndexes`). `inParts`: the import would commit its rows in parts if the
 * tables kept their indexes in our storage format (commit-parts.ts); it then keeps them from KEEP_INDEXES_ABOVE_ROWS.
 * True when it dropped them.
 */
export async function prepareIndexesForImport(connection: DuckDBConnection, size: ImportSize, inParts = false): Promise<boolean> {
  size.wholeIndexes = await inOlderStorage(connection);
  const keepAbove = inParts && !size.wholeIndexes ? KEEP_INDEXES_ABOVE_ROWS : Number.POSITIVE_INFINITY;
  const { dropped, pending } = await prepareIndexes(connection, size.rowsBefore, size.rowsAdded, keepAbove);
  size.indexed = !pending;
  return dropped;
}

/**
 * After an import's COMMIT: the indexes a database still waits for, made over the committed rows. Kept up by one
 * COMMIT, all 25 grew in memory together (an import of 5.6 million rows into a new database peaked at 1.46 GB in its
 * COMMIT). A run killed here leaves the rows in and the mark: the next import makes what is missing (`IF NOT EXISTS`),
 * and the Go server, which adds missing indexes on every open, would too.
 */
export async function completePendingIndexes(connection: DuckDBConnection): Promise<void> {
  if (await indexesPending(connection)) await makeIndexes(connection, INDEX_STATEMENTS, true, FINISHED);
}

/** Makes these indexes over a database's rows as completePendingIndexes does (a copy of a database: storage-copy.ts). */
export async function makeIndexesOverRows(connection: DuckDBConnection, statements: readonly string[]): Promise<void> {
  await makeIndexes(connection, statements, true);
}
