import { join } from "node:path";
import type { DuckDBConnection } from "../db/duckdb.ts";
import { countFilteredRows } from "../db/filtered-rows.ts";
import { queryNumber } from "../db/query-number.ts";
import type { RowFilter } from "../db/row-filter.ts";
import { EXPORT_TABLES, type TableCounts, type TableKey } from "../archive/tables.ts";

export async function countRows(connection: DuckDBConnection, filter: RowFilter): Promise<TableCounts> {
  const counts: TableCounts = { traces: 0, logs: 0, metrics: 0 };
  for (const table of EXPORT_TABLES) counts[table.key] = await countFilteredRows(connection, table.table, filter);
  return counts;
}

/** The rows each table's Parquet `files` (names under `root`: a flat export's three, or a lake's partitions) hold, read back with DuckDB. */
export async function countParquetRows(connection: DuckDBConnection, root: string, files: readonly { table: TableKey; name: string }[]): Promise<TableCounts> {
  const counts: TableCounts = { traces: 0, logs: 0, metrics: 0 };
  for (const file of files) {
    counts[file.table] += await queryNumber(connection, "SELECT count(*) FROM read_parquet($file)", { file: join(root, file.name) });
  }
  return counts;
}
