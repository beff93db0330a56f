import type { DuckDBConnection } from "../db/duckdb.ts";
import copySql from "./copy-table.sql" with { type: "text" };
import { filterParams, type RowFilter } from "../db/row-filter.ts";
import { renderTableSql } from "../db/sql-template.ts";
import type { ExportTable } from "./tables.ts";

/** Writes one table to ZSTD Parquet and returns the number of rows DuckDB wrote. */
export async function writeParquet(connection: DuckDBConnection, table: ExportTable, filter: RowFilter, path: string): Promise<number> {
  const result = await connection.run(renderTableSql(copySql, table.table), { ...filterParams(filter), path });
  const rows = await result.getRows();
  return Number(rows[0]?.[0] ?? 0);
}
