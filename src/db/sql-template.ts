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

/** Fills `{{filter}}` with the shared date and service predicate (row-filter.sql; its values are bound parameters). */
export function withRowFilter(template: string): string {
  return template.replaceAll("{{filter}}", rowFilterSql.trim());
}
