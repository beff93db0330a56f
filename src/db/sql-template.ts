import rowFilterSql from "./row-filter.sql" with { type: "text" };
import { TELEMETRY_TABLES, type TelemetryTable } from "./schema.ts";

/**
 * Fills `{{table}}` (only our own table names are accepted, never user input) and
 * `{{filter}}` (the shared date and service predicate, whose values are bound parameters).
 */
export function renderTableSql(template: string, table: TelemetryTable): string {
  if (!(TELEMETRY_TABLES as readonly string[]).includes(table)) throw new Error(`unknown table ${table}`);
  return withRowFilter(template.replaceAll("{{table}}", table));
}

/** A string literal for DuckDB SQL, where a value cannot be a bound parameter (a view's definition). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A quoted identifier for DuckDB SQL (a table or database name read from a catalog). */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The predicate on one line, so that it may also stand where a template's comment names it. */
const ROW_FILTER = rowFilterSql.trim().replace(/\s*\n\s*/g, " ");

/** Fills `{{filter}}` with the shared date and service predicate (row-filter.sql; its values are bound parameters). */
export function withRowFilter(template: string): string {
  return template.replaceAll("{{filter}}", ROW_FILTER);
}

/** The statements of a template with several (each ending in `;` at a line's end), without their comment lines. */
export function sqlStatements(sql: string): string[] {
  const code = sql
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n");
  return code
    .split(/;\s*\n/)
    .map((statement) => statement.trim().replace(/;$/, ""))
    .filter((statement) => statement !== "");
}

/** The parameters a statement names (`$name`): DuckDB refuses values for parameters a statement lacks. */
export function paramsOf<T>(statement: string, params: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(params).filter(([name]) => new RegExp(`\\$${name}\\b`).test(statement)));
}
