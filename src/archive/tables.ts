import { holdsLargeRows, type TelemetryTable } from "../db/schema.ts";

export type TableKey = "traces" | "logs" | "metrics";

export interface ExportTable {
  key: TableKey;
  table: TelemetryTable;
  file: string;
  /** Words for the preview: "spans", "records", "data points". */
  unit: string;
  /** Its rows may each be large (holdsLargeRows). */
  largeRows: boolean;
}

/** In export order, which is also the order of the ZIP entries. */
export const EXPORT_TABLES: readonly ExportTable[] = [
  { key: "traces", table: "otel_traces", file: "traces.parquet", unit: "spans", largeRows: holdsLargeRows("otel_traces") },
  { key: "logs", table: "otel_logs", file: "logs.parquet", unit: "records", largeRows: holdsLargeRows("otel_logs") },
  { key: "metrics", table: "otel_metrics", file: "metrics.parquet", unit: "data points", largeRows: holdsLargeRows("otel_metrics") },
];

export type TableCounts = Record<TableKey, number>;

export function exportBaseName(source: string, rangeLabel: string): string {
  return `ai-observer-export-${source}-${rangeLabel}`;
}
