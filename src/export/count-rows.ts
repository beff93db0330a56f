import type { DuckDBConnection } from "../db/duckdb.ts";
import { countFilteredRows } from "../db/filtered-rows.ts";
import type { RowFilter } from "../db/row-filter.ts";
import { EXPORT_TABLES, type TableCounts } from "../archive/tables.ts";

export async function countRows(connection: DuckDBConnection, filter: RowFilter): Promise<TableCounts> {
  const counts: TableCounts = { traces: 0, logs: 0, metrics: 0 };
  for (const table of EXPORT_TABLES) counts[table.key] = await countFilteredRows(connection, table.table, filter);
  return counts;
}
