import { totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { errorMessage } from "../errors.ts";
import type { DuckDBConnection } from "./duckdb.ts";

/**
 * 192 MB: with the compiled executable (its runtime and DuckDB's library are part of the process), 256 MB let a
 * 5-million-row export peak at 440–520 MB and a 2 GB import at 520–590 MB; 192 MB gave 380–450 and 440–475 MB
 * at the same speed (session 3, docs/performance.md).
 */
const DEFAULT_MEMORY_LIMIT = "192MB";

/**
 * COPY keeps table order by default and buffers for it (1.7 GB on 5 million rows here). The
 * Parquet row order means nothing (the Go original has no ORDER BY either), so drop it, and
 * cap DuckDB's buffer memory so that exports and imports stay small on any history.
 */
export async function boundExportMemory(connection: DuckDBConnection): Promise<void> {
  await connection.run("SET preserve_insertion_order = false");
  await connection.run("SET memory_limit = $limit", { limit: process.env.AI_OBSERVER_MEMORY_LIMIT || DEFAULT_MEMORY_LIMIT });
  // Spill, if ever needed, to the system's temporary folder: the database's own folder may be read-only.
  await connection.run("SET temp_directory = $dir", { dir: join(tmpdir(), `ai-observer-duckdb-${process.pid}`) });
}

const OUT_OF_MEMORY = /failed to allocate|failed to pin|out of memory/i;

/**
 * Runs `work` inside the caller's open transaction. The memory limit is a hard limit in DuckDB:
 * should a history need more (very large rows, or indexes that cannot be evicted), the
 * transaction is rolled back and `work` runs once more in a new one, without the limit, rather
 * than failing. While we hold the database no other process writes to it, so the new
 * transaction sees the same data.
 */
export async function retryWithoutMemoryLimit<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!OUT_OF_MEMORY.test(errorMessage(error))) throw error;
    await connection.run("ROLLBACK");
    await liftMemoryLimit(connection);
    await connection.run("BEGIN TRANSACTION");
    return work();
  }
}

/**
 * Gives DuckDB its own default memory limit back (80% of the machine's memory). An import does so before
 * COMMIT: the commit adds the new rows to the tables' indexes (go-reference §1.3) and checkpoints, which
 * loads and pins the existing indexes, so what it needs grows with the database, not with what is imported
 * (a database of 15 million metric rows needs ~1 GB). Under the bound such a commit fails, on every run, and
 * at times leaves DuckDB unable to roll back ("FATAL Error: Failed to rollback transaction").
 */
export async function liftMemoryLimit(connection: DuckDBConnection): Promise<void> {
  await connection.run("SET memory_limit = $limit", { limit: `${Math.floor((totalmem() * 0.8) / 1024 ** 2)}MB` });
}
