import type { ColumnBuilder, ColumnSpec } from "../parquet/column-builder.ts";
import { writeScratchRows } from "./scratch-parquet.ts";
import type { ToolPlan } from "./plan-import.ts";

/** What the bookkeeping rows are written from: each tool's planned events. */
type PlannedTool = Pick<ToolPlan, "tool" | "events">;

/** The columns of `ai_observer_import_events` an import fills (import-schema.sql), in this order. */
export const EVENT_RECORD_COLUMNS: readonly ColumnSpec[] = [
  { name: "tool", kind: "VARCHAR" },
  { name: "event_key", kind: "VARCHAR" },
  { name: "rank", kind: "DOUBLE" },
  { name: "ts", kind: "TIMESTAMP" },
  { name: "file_path", kind: "VARCHAR" },
  { name: "unpriced", kind: "BOOLEAN" },
];

/**
 * Writes the bookkeeping row of every planned event as a Parquet file for DuckDB to insert, straight from the events'
 * columns: no object, JSON text or key string per event. As NDJSON (an object and a JSON line each) the 613,703 events
 * of 1 GB of Gemini sessions left ~200 MB of garbage on the heap just before DuckDB took its share (docs/performance.md
 * [S12]). Returns the number of rows.
 */
export function writeEventRecords(plans: readonly PlannedTool[], path: string): Promise<number> {
  return writeScratchRows(path, EVENT_RECORD_COLUMNS, async (writer) => {
    for (const plan of plans) {
      const events = plan.events;
      for (let i = 0; i < events.size; i++) {
        // The writer's columns are new after each row group.
        const [tool, key, rank, ts, file, unpriced] = writer.row as [ColumnBuilder, ColumnBuilder, ColumnBuilder, ColumnBuilder, ColumnBuilder, ColumnBuilder];
        tool.pushText(plan.tool);
        events.writeKey(i, key);
        rank.pushNumber(events.rank(i));
        ts.pushNumber(events.micros(i));
        file.pushText(events.filePath(i));
        unpriced.pushBoolean(events.unpriced(i));
        const flushing = writer.endRow();
        if (flushing) await flushing;
      }
    }
  });
}
