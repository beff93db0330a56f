import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "../db/duckdb.ts";
import { EXPORT_TABLES, type TableCounts } from "../archive/tables.ts";
import { extractParquetEntries } from "../archive/zip-entries.ts";
import { countParquetRows } from "./count-rows.ts";

/** Row counts of the export's Parquet files in `dir`, read back with DuckDB. */
function countExportFiles(connection: DuckDBConnection, dir: string): Promise<TableCounts> {
  return countParquetRows(connection, dir, EXPORT_TABLES.map((table) => ({ table: table.key, name: table.file })));
}

/**
 * Re-reads what was written (the closed ZIP, or the Parquet files) and returns the rows per
 * table, so data is deleted only once it is known to be in the archive.
 */
export async function rereadArchive(connection: DuckDBConnection, stagingDir: string, zipPath: string | null): Promise<TableCounts> {
  if (zipPath === null) return countExportFiles(connection, stagingDir);
  const extracted = join(stagingDir, "reread");
  mkdirSync(extracted);
  await extractParquetEntries(zipPath, extracted);
  return countExportFiles(connection, extracted);
}
