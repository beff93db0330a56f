import { type RowFilter, filterParams } from "../db/row-filter.ts";
import { withRowFilter } from "../db/sql-template.ts";
import type { Json } from "../db/duckdb.ts";
import { UsageError } from "../shared/errors.ts";
import type { QueryColumn } from "./run-query.ts";
import usageReportSql from "./usage-report.sql" with { type: "text" };

/** The named reports of `ai-observer report`: tokens and cost by one key. */
const REPORTS = {
  daily: { key: "strftime(Timestamp, '%Y-%m-%d')", keyName: "day", order: "day", columns: ["day", "services", "models"] },
  monthly: { key: "strftime(Timestamp, '%Y-%m')", keyName: "month", order: "month", columns: ["month", "services", "models"] },
  models: { key: "model", keyName: "model", order: "cost_usd DESC, total_tokens DESC, model", columns: ["model", "services"] },
  projects: { key: "project", keyName: "project", order: "cost_usd DESC, total_tokens DESC, project", columns: ["project", "services", "models"] },
  hosts: { key: "host", keyName: "host", order: "cost_usd DESC, total_tokens DESC, host", columns: ["host", "services", "models"] },
  sessions: { key: "session", keyName: "session", order: "last_seen, session", columns: ["session", "services", "models", "first_seen", "last_seen"] },
} as const;

export type ReportName = keyof typeof REPORTS;

const AMOUNTS = ["input", "output", "cache_write", "cache_read", "total_tokens", "cost_usd"];

export function parseReportName(arg: string | undefined): ReportName {
  const names = Object.keys(REPORTS).join(", ");
  if (arg === undefined || arg === "") throw new UsageError(`report name is required (one of: ${names})`);
  const name = arg.toLowerCase();
  if (!Object.hasOwn(REPORTS, name)) throw new UsageError(`unknown report: ${arg} (valid: ${names})`);
  return name as ReportName;
}

/** The report's SQL (over the archive's `metrics` view) and its bound parameters. */
export function reportQuery(name: ReportName, filter: RowFilter): { sql: string; params: Record<string, string | null> } {
  const report = REPORTS[name];
  const grouped = withRowFilter(usageReportSql)
    .replaceAll("{{key_name}}", report.keyName)
    .replaceAll("{{key}}", report.key);
  const columns = [...report.columns, ...AMOUNTS].join(", ");
  return { sql: `SELECT ${columns} FROM (${grouped}) ORDER BY ${report.order}`, params: filterParams(filter) };
}

/** The sum of each amount column (null under the others), in the columns' order. */
export function reportTotals(columns: readonly QueryColumn[], rows: readonly Json[][]): Json[] {
  return columns.map((column, index) => {
    if (!AMOUNTS.includes(column.name)) return null;
    if (column.kind === "integer") return String(rows.reduce((sum, row) => sum + BigInt((row[index] as string | number | null) ?? 0), 0n));
    const sum = rows.reduce((total, row) => total + Number(row[index] ?? 0), 0);
    return Math.round(sum * 1e6) / 1e6;
  });
}
