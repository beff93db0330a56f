import type { DuckDBConnection } from "../db/duckdb.ts";
import { retryWithoutMemoryLimit } from "../db/duckdb-memory.ts";
import { filterParams, type RowFilter } from "../db/row-filter.ts";
import { renderTableSql } from "../db/sql-template.ts";
import copySql from "./copy-table.sql" with { type: "text" };
import type { ExportTable } from "./tables.ts";

/** Writes one table of the database to ZSTD Parquet and returns the number of rows DuckDB wrote. */
export async function writeParquet(connection: DuckDBConnection, table: ExportTable, filter: RowFilter, path: string): Promise<number> {
  return retryWithoutMemoryLimit(connection, async () => {
    const result = await connection.run(renderTableSql(copySql, table.table), { ...filterParams(filter), path });
    return Number((await result.getRows())[0]?.[0] ?? 0);
  });
}
