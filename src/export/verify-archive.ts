import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "../db/duckdb.ts";
import { EXPORT_TABLES, type TableCounts } from "../archive/tables.ts";
import { extractParquetEntries } from "../archive/zip-entries.ts";

/** Row counts of the Parquet files in `dir`, read back with DuckDB. */
async function countParquetRows(connection: DuckDBConnection, dir: string): Promise<TableCounts> {
  const counts: TableCounts = { traces: 0, logs: 0, metrics: 0 };
  for (const table of EXPORT_TABLES) {
    const reader = await connection.runAndReadAll("SELECT count(*) FROM read_parquet($file)", { file: join(dir, table.file) });
    counts[table.key] = Number(reader.getRows()[0]?.[0] ?? -1);
  }
  return counts;
}

/**
 * Re-reads what was written (the closed ZIP, or the Parquet files) and returns the rows per
 * table, so data is deleted only once it is known to be in the archive.
 */
export async function rereadArchive(connection: DuckDBConnection, stagingDir: string, zipPath: string | null): Promise<TableCounts> {
  if (zipPath === null) return countParquetRows(connection, stagingDir);
  const extracted = join(stagingDir, "reread");
  mkdirSync(extracted);
  await extractParquetEntries(zipPath, extracted);
  return countParquetRows(connection, extracted);
}
