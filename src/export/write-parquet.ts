import type { DuckDBMemory } from "../db/duckdb-memory.ts";
import { queryNumber } from "../db/query-number.ts";
import { filterParams, type RowFilter } from "../db/row-filter.ts";
import { renderTableSql } from "../db/sql-template.ts";
import copySql from "./copy-table.sql" with { type: "text" };
import { DELETED_ROWS_PARQUET_KEY } from "./archive-mark.ts";
import type { ExportTable } from "../archive/tables.ts";
import { copyShape } from "./copy-shape.ts";

/**
 * Writes one table of the database to ZSTD Parquet and returns the number of rows DuckDB wrote. `markDeleted`: the
 * rows are deleted from the database afterwards, which the file's key-value metadata says (archive-mark.ts).
 */
export async function writeParquet(memory: DuckDBMemory, table: ExportTable, filter: RowFilter, path: string, markDeleted: boolean): Promise<number> {
  const mark = markDeleted ? `, KV_METADATA {${DELETED_ROWS_PARQUET_KEY}: 'true'}` : "";
  const shape = copyShape(table);
  const sql = renderTableSql(copySql, table.table).replace("{{kv_metadata}}", mark).replace("{{row_group_bytes}}", shape.rowGroupBytes);
  const copy = () => memory.retryInTransaction(() => queryNumber(memory.connection, sql, { ...filterParams(filter), path }));
  return memory.onRowsOf(table.table, copy);
}
