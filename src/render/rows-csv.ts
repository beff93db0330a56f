import type { Json } from "../db/duckdb.ts";
import type { QueryColumn } from "../query/run-query.ts";
import { cellText } from "./result-cells.ts";

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. Null is an empty field. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function renderCsvHeader(columns: readonly QueryColumn[]): string {
  return `${columns.map((column) => csvField(column.name)).join(",")}\r\n`;
}

export function renderCsvRows(rows: readonly Json[][]): string {
  let text = "";
  for (const row of rows) text += `${row.map((value) => csvField(cellText(value, ""))).join(",")}\r\n`;
  return text;
}
