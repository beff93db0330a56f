import type { ColumnKind, ColumnSpec } from "../parquet/column-builder.ts";
import type { TelemetryTable } from "./schema.ts";
import schemaSql from "./schema.sql" with { type: "text" };

const KINDS = new Set<string>(["TIMESTAMP", "VARCHAR", "JSON", "INTEGER", "UINTEGER", "BIGINT", "UBIGINT", "DOUBLE", "BOOLEAN"]);

/** The columns of a telemetry table, in order, as schema.sql declares them (the one place they are written down). */
export function tableColumns(table: TelemetryTable): ColumnSpec[] {
  const block = new RegExp(`CREATE TABLE IF NOT EXISTS ${table} \\(([^;]*?)\\n\\);`).exec(schemaSql)?.[1];
  if (!block) throw new Error(`schema.sql has no table ${table}`);
  return block
    .split("\n")
    .map((line) => /^\s+("?)([\w.]+)\1\s+([A-Z]+)/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, , name, type]) => {
      if (!type || !KINDS.has(type)) throw new Error(`schema.sql: ${table}.${name} has a type the Parquet writer does not know: ${type}`);
      return { name: name as string, kind: type as ColumnKind };
    });
}
