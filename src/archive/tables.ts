import type { TelemetryTable } from "../db/schema.ts";

export type TableKey = "traces" | "logs" | "metrics";

export interface ExportTable {
  key: TableKey;
  table: TelemetryTable;
  file: string;
  /** Words for the preview: "spans", "records", "data points". */
  unit: string;
  /**
   * Its rows may each be large: a log row with transcripts holds a conversation's text (KBs to MBs), of which DuckDB
   * holds 2,048 rows at a time per thread, several times over: an export writes them on one thread (copy-shape.ts).
   */
  largeRows: boolean;
}

/** In export order, which is also the order of the ZIP entries. */
export const EXPORT_TABLES: readonly ExportTable[] = [
  { key: "traces", table: "otel_traces", file: "traces.parquet", unit: "spans", largeRows: false },
  { key: "logs", table: "otel_logs", file: "logs.parquet", unit: "records", largeRows: true },
  { key: "metrics", table: "otel_metrics", file: "metrics.parquet", unit: "data points", largeRows: false },
];

export type TableCounts = Record<TableKey, number>;

export function exportBaseName(source: string, rangeLabel: string): string {
  return `ai-observer-export-${source}-${rangeLabel}`;
}
