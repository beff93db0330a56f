import type { Json } from "../db/duckdb.ts";
import type { QueryColumn } from "../query/run-query.ts";
import { formatCount } from "../shared/format.ts";
import { cellText } from "./result-cells.ts";

export interface TableStyle {
  /** Longer values are cut (CSV and JSON give them whole). */
  maxCell: number;
  /** Shown for null. */
  nullText: string;
  /** Integers with thousands separators, and columns named `*_usd` as dollars with cents. */
  amounts: boolean;
}

function cell(column: QueryColumn, value: Json, style: TableStyle): string {
  if (value === null) return style.nullText;
  if (style.amounts && column.name.endsWith("_usd")) return `$${Number(value).toFixed(2)}`;
  if (style.amounts && column.kind === "integer") return formatCount(BigInt(value as string | number));
  const text = cellText(value, style.nullText).replaceAll("\r", "\\r").replaceAll("\n", "\\n").replaceAll("\t", "\\t");
  return text.length > style.maxCell ? `${text.slice(0, style.maxCell - 1)}…` : text;
}

/** An aligned table: numbers to the right; `footer` (e.g. totals) below a rule. */
export function renderTable(columns: readonly QueryColumn[], rows: readonly Json[][], style: TableStyle, footer?: readonly Json[]): string {
  const body = rows.map((row) => row.map((value, index) => cell(columns[index] as QueryColumn, value, style)));
  const foot = footer?.map((value, index) => cell(columns[index] as QueryColumn, value, { ...style, nullText: "" }));
  const widths = columns.map((column, index) => Math.max(column.name.length, ...body.map((row) => (row[index] as string).length), foot ? (foot[index] as string).length : 0));
  const right = columns.map((column) => column.kind !== "other");
  const line = (cells: readonly string[]) =>
    `${cells.map((text, index) => (right[index] ? text.padStart(widths[index] as number) : text.padEnd(widths[index] as number))).join("  ").trimEnd()}\n`;
  const rule = `${widths.map((width) => "-".repeat(width)).join("  ")}\n`;
  let text = line(columns.map((column) => column.name)) + rule;
  for (const row of body) text += line(row);
  if (foot) text += rule + line(foot);
  return text;
}
