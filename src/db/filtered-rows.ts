import countSql from "./count-rows.sql" with { type: "text" };
import countTraceIdsSql from "./count-trace-ids.sql" with { type: "text" };
import deleteSql from "./delete-rows.sql" with { type: "text" };
import type { DuckDBConnection } from "./duckdb.ts";
import { queryNumber } from "./query-number.ts";
import { filterParams, type RowFilter } from "./row-filter.ts";
import type { TelemetryTable } from "./schema.ts";
import { renderTableSql } from "./sql-template.ts";

function firstNumber(connection: DuckDBConnection, sql: string, filter: RowFilter): Promise<number> {
  return queryNumber(connection, sql, filterParams(filter));
}

export function countFilteredRows(connection: DuckDBConnection, table: TelemetryTable, filter: RowFilter): Promise<number> {
  return firstNumber(connection, renderTableSql(countSql, table), filter);
}

export function countFilteredTraces(connection: DuckDBConnection, filter: RowFilter): Promise<number> {
  return firstNumber(connection, renderTableSql(countTraceIdsSql, "otel_traces"), filter);
}

/** Deletes the rows the filter selects and returns how many DuckDB deleted. */
function deleteFilteredRows(connection: DuckDBConnection, table: TelemetryTable, filter: RowFilter): Promise<number> {
  return firstNumber(connection, renderTableSql(deleteSql, table), filter);
}

/** Deletes the rows the filter selects, and fails unless exactly `expected` went: the count the user was shown. */
export async function deleteCountedRows(connection: DuckDBConnection, table: TelemetryTable, filter: RowFilter, expected: number): Promise<number> {
  const deleted = await deleteFilteredRows(connection, table, filter);
  if (deleted !== expected) throw new Error(`deleting ${table} removed ${deleted} rows but ${expected} were counted`);
  return deleted;
}
