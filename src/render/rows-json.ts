import type { Json } from "../db/duckdb.ts";
import type { QueryColumn } from "../query/run-query.ts";
import { jsonValue } from "./result-cells.ts";

/** Column names made unique (`a`, `a_2`), so that each row can be one object. */
export function objectKeys(columns: readonly QueryColumn[]): string[] {
  const seen = new Map<string, number>();
  return columns.map((column) => {
    const count = (seen.get(column.name) ?? 0) + 1;
    seen.set(column.name, count);
    return count === 1 ? column.name : `${column.name}_${count}`;
  });
}

/** Rows as objects keyed by `keys` (objectKeys), values as jsonValue makes them. */
export function rowObjects(columns: readonly QueryColumn[], keys: readonly string[], rows: readonly Json[][]): Record<string, Json>[] {
  return rows.map((row) => {
    const object: Record<string, Json> = {};
    row.forEach((value, index) => {
      object[keys[index] as string] = jsonValue(columns[index] as QueryColumn, value);
    });
    return object;
  });
}

/** Rows as JSON objects, comma-separated (without the enclosing brackets, so that chunks can be written as they come). */
export function renderJsonRows(columns: readonly QueryColumn[], keys: readonly string[], rows: readonly Json[][]): string {
  return rowObjects(columns, keys, rows)
    .map((object) => JSON.stringify(object))
    .join(",");
}
