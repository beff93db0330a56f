import type { DuckDBConnection } from "../db/duckdb.ts";
import countSql from "./count-rows.sql" with { type: "text" };
import { filterParams, type RowFilter } from "./filter.ts";
import { renderTableSql } from "./sql-template.ts";
import { EXPORT_TABLES, type TableCounts } from "./tables.ts";

export async function countRows(connection: DuckDBConnection, filter: RowFilter): Promise<TableCounts> {
  const counts: TableCounts = { traces: 0, logs: 0, metrics: 0 };
  for (const table of EXPORT_TABLES) {
    const reader = await connection.runAndReadAll(renderTableSql(countSql, table.table), filterParams(filter));
    counts[table.key] = Number(reader.getRows()[0]?.[0] ?? 0);
  }
  return counts;
}
