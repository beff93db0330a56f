import type { TelemetryTable } from "../db/schema.ts";

export type TableKey = "traces" | "logs" | "metrics";

export interface ExportTable {
  key: TableKey;
  table: TelemetryTable;
  file: string;
  /** Words for the preview: "spans", "records", "data points". */
  unit: string;
}

/** In export order, which is also the order of the ZIP entries. */
export const EXPORT_TABLES: readonly ExportTable[] = [
  { key: "traces", table: "otel_traces", file: "traces.parquet", unit: "spans" },
  { key: "logs", table: "otel_logs", file: "logs.parquet", unit: "records" },
  { key: "metrics", table: "otel_metrics", file: "metrics.parquet", unit: "data points" },
];

export type TableCounts = Record<TableKey, number>;

export function exportBaseName(source: string, rangeLabel: string): string {
  return `ai-observer-export-${source}-${rangeLabel}`;
}
