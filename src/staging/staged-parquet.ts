import { rmSync } from "node:fs";
import type { ColumnBuilder } from "../parquet/column-builder.ts";
import { ParquetWriter } from "../parquet/parquet-writer.ts";
import { MemoryGovernor } from "../sources/memory-governor.ts";
import { tableColumns } from "../db/table-columns.ts";
import type { TelemetryTable } from "../db/schema.ts";
import { LOG_SHAPE, METRIC_SHAPE, type RowShape, TRACE_SHAPE } from "./row-shape.ts";
import type { StagedColumns } from "./staged-columns.ts";
import type { StagedRows, StagedTableKey } from "./staged-rows.ts";
import { SEQ_PER_FILE } from "./staged-file.ts";
import type { ChosenRows } from "./chosen-events.ts";

const SHAPES: Record<TelemetryTable, RowShape<never>> = {
  otel_traces: TRACE_SHAPE,
  otel_logs: LOG_SHAPE as RowShape<never>,
  otel_metrics: METRIC_SHAPE as RowShape<never>,
};

const STAGED_KEYS: Record<TelemetryTable, StagedTableKey | null> = { otel_traces: null, otel_logs: "logs", otel_metrics: "metrics" };

/** Row group limits: a row group ends with the event that reaches either (DuckDB's default row count). */
export const STAGED_ROW_GROUP = { rows: 122_880, bytes: 16 << 20 };

/**
 * Writes the rows of the `chosen` events (ChosenRows) of `table` from `rows` (null, or a table nothing is staged
 * for, such as traces: no rows) as a ZSTD Parquet file with the table's columns. Runs of chosen
 * events are copied as they were encoded; the service column is one constant when the chosen events
 * with rows here share their service. Returns the number of rows written. A failure leaves no file.
 */
export async function writeStagedTable(
  table: TelemetryTable,
  rows: StagedRows | null,
  chosen: ChosenRows,
  path: string,
  limits = STAGED_ROW_GROUP,
  /** Compress large pages on Bun's thread pool (not when a run keeps to one thread). */
  threadPool = true,
): Promise<number> {
  const shape = SHAPES[table];
  const key = STAGED_KEYS[table];
  // The staged rows of this table, if it has any.
  const source = key !== null && rows !== null ? { rows, key } : null;
  const rowsOf = source?.key === "logs" ? (i: number) => chosen.logs(i) : (i: number) => chosen.metrics(i);
  const constants = [...shape.constants];
  if (shape.resource !== null && rows !== null) constants[shape.resource] = rows.resourceAttributes;
  const services = new Set<string>();
  let someUnit = false;
  if (source) {
    for (let i = 0; i < chosen.size; i++) {
      if (rowsOf(i) === 0) continue;
      services.add(chosen.service(i));
      someUnit ||= chosen.unit(i) !== "";
    }
  }
  const serviceBytes = new Map([...services].map((service) => [service, Buffer.from(service)]));
  const perRowService = shape.service !== null && services.size > 1 ? shape.service : null;
  if (shape.service !== null && perRowService === null) constants[shape.service] = serviceBytes.values().next().value ?? Buffer.alloc(0);
  // The unit column: NULL throughout unless a chosen event has a unit (Claude's active time, in seconds).
  const perRowUnit = shape.unit !== null && someUnit ? shape.unit : null;
  if (shape.unit !== null && perRowUnit === null) constants[shape.unit] = null;
  // Room for a row group's values at once, up to the limit (the buffers would otherwise grow by copying).
  const capacities: (number | undefined)[] = [];
  if (source) {
    const bytes = source.rows.columnBytes(source.key);
    shape.live.forEach(({ index }, c) => {
      capacities[index] = Math.min(bytes[c] ?? 0, limits.bytes) + (64 << 10);
    });
  }
  const writer = new ParquetWriter(path, tableColumns(table), constants, limits, capacities, threadPool);
  // Each row group leaves its compressed pages behind, memory outside the heap that JavaScriptCore is slow to take
  // back: writing the 613,703 log rows of 1 GB of Gemini sessions grew the process by ~270 MB without this.
  const governor = new MemoryGovernor();
  try {
    if (source) {
      // The parse's garbage first (1 GB of Gemini sessions with transcripts: the export peaked at 609 MB on it).
      governor.collectIfLarge();
      const byFile = new ChosenByFile(chosen);
      for (const fragment of source.rows.fragments(source.key)) {
        if (fragment.columns !== shape.live.length) throw new Error(`${table}: a staged fragment has ${fragment.columns} columns, not ${shape.live.length}`);
        const rowOf = byFile.rowsOf(fragment.ordinal, fragment.events);
        let event = 0;
        while (event < fragment.events) {
          if ((rowOf[event] as number) < 0) {
            event++;
            continue;
          }
          // A run of selected events, as long as the row group has room for it.
          const start = event;
          const roomRows = limits.rows - writer.pendingRows;
          const roomBytes = limits.bytes - Math.max(0, ...shape.live.map(({ index }) => (writer.row[index] as ColumnBuilder).bytes));
          do event++;
          while (
            event < fragment.events &&
            (rowOf[event] as number) >= 0 &&
            fragment.rowStart(event + 1) - fragment.rowStart(start) <= roomRows &&
            widest(fragment, start, event + 1) <= roomBytes
          );
          const count = fragment.rowStart(event) - fragment.rowStart(start);
          if (count === 0) continue;
          let bytes = 0;
          shape.live.forEach(({ index }, c) => {
            const base = fragment.base(c);
            const column = writer.row[index] as ColumnBuilder;
            const from = base + fragment.byteStart(c, start);
            const to = base + fragment.byteStart(c, event);
            bytes += to - from;
            if (index === shape.emptyIsNull) appendTextEmptyAsNull(column, fragment.bytes, from, to, count);
            else column.appendPlain(fragment.bytes, from, to, count);
          });
          if (perRowUnit !== null) {
            const column = writer.row[perRowUnit] as ColumnBuilder;
            for (let e = start; e < event; e++) {
              const unit = chosen.unit(rowOf[e] as number);
              const bytes = unit === "" ? null : Buffer.from(unit);
              for (let row = fragment.rowStart(e); row < fragment.rowStart(e + 1); row++) {
                if (bytes) column.pushBytes(bytes);
                else column.pushNull();
              }
            }
          }
          if (perRowService !== null) {
            const column = writer.row[perRowService] as ColumnBuilder;
            for (let e = start; e < event; e++) {
              const bytes = serviceBytes.get(chosen.service(rowOf[e] as number)) as Buffer;
              for (let row = fragment.rowStart(e); row < fragment.rowStart(e + 1); row++) column.pushBytes(bytes);
            }
          }
          await writer.endRows(count);
          governor.afterWork(bytes);
        }
      }
    }
    return await writer.close();
  } catch (error) {
    writer.abandon();
    rmSync(path, { force: true });
    throw error;
  }
}

/**
 * The chosen events of each staged file, found by the file's ordinal (StagedEvent.seq is `ordinal × SEQ_PER_FILE + the
 * event's index in the file`): for each ordinal, its chosen events' indexes in the file and in `chosen`, in typed
 * arrays. A `Map` from seq to index took ~30 MB for the 613,703 events of 1 GB of Gemini sessions, made again for
 * each table.
 */
class ChosenByFile {
  /** Where each ordinal's entries start in `#events` and `#rows` (the next ordinal's start ends them). */
  readonly #starts: Int32Array;
  readonly #events: Int32Array;
  readonly #rows: Int32Array;
  #scratch = new Int32Array(1024);

  constructor(chosen: ChosenRows) {
    let ordinals = 0;
    for (let i = 0; i < chosen.size; i++) ordinals = Math.max(ordinals, Math.floor(chosen.seq(i) / SEQ_PER_FILE) + 1);
    const starts = new Int32Array(ordinals + 1);
    for (let i = 0; i < chosen.size; i++) (starts[Math.floor(chosen.seq(i) / SEQ_PER_FILE) + 1] as number)++;
    for (let o = 0; o < ordinals; o++) starts[o + 1] = (starts[o + 1] as number) + (starts[o] as number);
    const next = starts.slice(0, ordinals);
    this.#events = new Int32Array(chosen.size);
    this.#rows = new Int32Array(chosen.size);
    for (let i = 0; i < chosen.size; i++) {
      const seq = chosen.seq(i);
      const ordinal = Math.floor(seq / SEQ_PER_FILE);
      const at = (next[ordinal] as number)++;
      this.#events[at] = seq - ordinal * SEQ_PER_FILE;
      this.#rows[at] = i;
    }
    this.#starts = starts;
  }

  /** For the `events` events of file `ordinal`: each one's index in `chosen`, or -1 (valid until the next call). */
  rowsOf(ordinal: number, events: number): Int32Array {
    if (this.#scratch.length < events) this.#scratch = new Int32Array(Math.max(events, this.#scratch.length * 2));
    const rows = this.#scratch.subarray(0, events);
    rows.fill(-1);
    if (ordinal + 1 >= this.#starts.length) return rows;
    for (let at = this.#starts[ordinal] as number; at < (this.#starts[ordinal + 1] as number); at++) rows[this.#events[at] as number] = this.#rows[at] as number;
    return rows;
  }
}

/** `rows` PLAIN text values in `bytes[start..end]`, each empty one as NULL (one copy when none is empty). */
export function appendTextEmptyAsNull(column: ColumnBuilder, bytes: Buffer, start: number, end: number, rows: number): void {
  let empty = false;
  for (let at = start; at < end && !empty; at += 4 + bytes.readUInt32LE(at)) empty = bytes.readUInt32LE(at) === 0;
  if (!empty) {
    column.appendPlain(bytes, start, end, rows);
    return;
  }
  for (let at = start; at < end; ) {
    const length = bytes.readUInt32LE(at);
    if (length === 0) column.pushNull();
    else column.pushBytes(bytes, at + 4, at + 4 + length);
    at += 4 + length;
  }
}

/** The most bytes any column's values take for events `from..to`. */
export function widest(fragment: StagedColumns, from: number, to: number): number {
  let most = 0;
  for (let c = 0; c < fragment.columns; c++) most = Math.max(most, fragment.byteStart(c, to) - fragment.byteStart(c, from));
  return most;
}
