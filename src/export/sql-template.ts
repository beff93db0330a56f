import type { TelemetryTable } from "../db/schema.ts";
import { TELEMETRY_TABLES } from "../db/schema.ts";

/** Fills `{{table}}`; only our own table names are accepted, never user input. */
export function renderTableSql(template: string, table: TelemetryTable): string {
  if (!(TELEMETRY_TABLES as readonly string[]).includes(table)) throw new Error(`unknown table ${table}`);
  return template.replaceAll("{{table}}", table);
}
