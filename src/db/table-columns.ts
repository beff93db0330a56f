import type { ColumnKind, ColumnSpec } from "../parquet/column-builder.ts";
import type { TelemetryTable } from "./schema.ts";
import schemaSql from "./schema.sql" with { type: "text" };

const KINDS = new Set<string>(["TIMESTAMP", "VARCHAR", "JSON", "INTEGER", "UINTEGER", "BIGINT", "UBIGINT", "DOUBLE", "BOOLEAN"]);

const parsed = new Map<TelemetryTable, ColumnSpec[]>();

/** The columns of a telemetry table, in order, as schema.sql declares them (the one place they are written down). */
export function tableColumns(table: TelemetryTable): ColumnSpec[] {
  let columns = parsed.get(table);
  if (!columns) parsed.set(table, (columns = parseColumns(table)));
  return columns.map((column) => ({ ...column }));
}

/** A table's column names, quoted and comma-separated, for statements that name every column. */
export function columnList(table: TelemetryTable): string {
  return tableColumns(table)
    .map((column) => `"${column.name}"`)
    .join(", ");
}

function parseColumns(table: TelemetryTable): ColumnSpec[] {
  const start = schemaSql.indexOf(`CREATE TABLE IF NOT EXISTS ${table} (\n`);
  const end = start < 0 ? -1 : schemaSql.indexOf("\n);", start);
  if (end < 0) throw new Error(`schema.sql has no table ${table}`);
  return schemaSql
    .slice(schemaSql.indexOf("\n", start) + 1, end)
    .split("\n")
    .map((line) => /^\s+("?)([\w.]+)\1\s+([A-Z]+)/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, , name, type]) => {
      if (!type || !KINDS.has(type)) throw new Error(`schema.sql: ${table}.${name} has a type the Parquet writer does not know: ${type}`);
      return { name: name as string, kind: type as ColumnKind };
    });
}
