import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "./duckdb.ts";

/**
 * COPY keeps table order by default and buffers for it (1.7 GB on 5 million rows here). The
 * Parquet row order means nothing (the Go original has no ORDER BY either), so drop it, and
 * cap DuckDB's buffer memory so that exports stay small on any history.
 */
export async function boundExportMemory(connection: DuckDBConnection): Promise<void> {
  await connection.run("SET preserve_insertion_order = false");
  await connection.run("SET memory_limit = $limit", { limit: process.env.AI_OBSERVER_MEMORY_LIMIT || "256MB" });
  // Spill, if ever needed, to the system's temporary folder: the database's own folder may be read-only.
  await connection.run("SET temp_directory = $dir", { dir: join(tmpdir(), `ai-observer-duckdb-${process.pid}`) });
}
