import { totalmem } from "node:os";
import type { DuckDBConnection } from "../db/duckdb.ts";
import { filterParams, type RowFilter } from "../db/row-filter.ts";
import { renderTableSql } from "../db/sql-template.ts";
import { errorMessage } from "../errors.ts";
import copySql from "./copy-table.sql" with { type: "text" };
import type { ExportTable } from "./tables.ts";

const OUT_OF_MEMORY = /failed to allocate|failed to pin|out of memory/i;

/**
 * Writes one table to ZSTD Parquet and returns the number of rows DuckDB wrote. The memory
 * limit set for exports (export-input.ts) is a hard limit in DuckDB: should a history with
 * very large rows need more, the table is written again without it rather than failing.
 * The failed COPY aborts the transaction; a new one sees the same data, because while we
 * hold the database no other process can write to it.
 */
export async function writeParquet(connection: DuckDBConnection, table: ExportTable, filter: RowFilter, path: string): Promise<number> {
  const copy = async () => {
    const result = await connection.run(renderTableSql(copySql, table.table), { ...filterParams(filter), path });
    return Number((await result.getRows())[0]?.[0] ?? 0);
  };
  try {
    return await copy();
  } catch (error) {
    if (!OUT_OF_MEMORY.test(errorMessage(error))) throw error;
    await connection.run("ROLLBACK");
    // DuckDB's own default: 80% of the machine's memory.
    await connection.run("SET memory_limit = $limit", { limit: `${Math.floor((totalmem() * 0.8) / 1024 ** 2)}MB` });
    await connection.run("BEGIN TRANSACTION");
    return copy();
  }
}
