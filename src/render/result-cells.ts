import type { Json } from "../db/duckdb.ts";
import type { QueryColumn } from "../query/run-query.ts";

/** A value for JSON output: 64-bit integers and decimals (text in DuckDB's JSON form) as numbers when exact. */
export function jsonValue(column: QueryColumn, value: Json): Json {
  if (typeof value !== "string") return value;
  if (column.kind === "decimal") return Number(value);
  if (column.kind === "integer") {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value;
  }
  return value;
}

/** A value as text, for a table or CSV: lists and structs as JSON; null as `null_text`. */
export function cellText(value: Json, nullText: string): string {
  if (value === null) return nullText;
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
