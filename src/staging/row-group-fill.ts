import { closeSync, openSync } from "node:fs";
import type { ColumnBuilder } from "../parquet/column-builder.ts";
import type { TelemetryTable } from "../db/schema.ts";
import { LOG_SHAPE, METRIC_SHAPE, type RowShape, TRACE_SHAPE } from "./row-shape.ts";
import type { StagedColumns } from "./staged-columns.ts";
import type { RowGroupJob } from "./table-protocol.ts";
import { type FragmentPlace, readFragment } from "./staged-rows.ts";

/* How a row group's columns are filled from staged fragments: by the writer's thread, and by the table workers. */

const SHAPES: Record<TelemetryTable, RowShape<never>> = {
  otel_traces: TRACE_SHAPE,
  otel_logs: LOG_SHAPE as RowShape<never>,
  otel_metrics: METRIC_SHAPE as RowShape<never>,
};

/** A table's row shape (how its staged rows fill its columns). */
export const shapeOf = (table: TelemetryTable): RowShape<never> => SHAPES[table];

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

/** The UTF-8 bytes of the services and units written per row, each made once. */
export class TextBytes {
  readonly #bytes = new Map<string, Buffer>();

  of(text: string): Buffer {
    let bytes = this.#bytes.get(text);
    if (bytes === undefined) {
      bytes = Buffer.from(text);
      this.#bytes.set(text, bytes);
    }
    return bytes;
  }

  /** A unit's bytes; null (NULL in the column) for `""`. */
  unit(unit: string): Buffer | null {
    return unit === "" ? null : this.of(unit);
  }
}

/** Where an event's unit or service text is found: by the event's index in its fragment. */
export interface EventTexts {
  text(event: number): string;
}

/** A column a fragment does not carry (the unit or the service), filled per row with its event's text's bytes (null: NULL). */
export class EventColumn {
  constructor(
    readonly index: number,
    private readonly bytes: TextBytes,
    private readonly unit: boolean,
    private readonly texts: EventTexts,
  ) {}

  of(event: number): Buffer | null {
    const text = this.texts.text(event);
    return this.unit ? this.bytes.unit(text) : this.bytes.of(text);
  }
}

/** The texts of a run's events in a table worker's list of them (`at`: where the run's event 0 would be in it). */
export class ListedTexts implements EventTexts {
  constructor(
    private readonly texts: readonly string[],
    private readonly at: number,
  ) {}

  text(event: number): string {
    return this.texts[this.at + event] as string;
  }
}

/** The unit and service columns, where they take a value per row (else a constant, or none). */
export interface EventColumns {
  unit: EventColumn | null;
  service: EventColumn | null;
}

/**
 * Appends the rows of `run` (events of `fragment`) to a row group's columns (`row`, one builder per table column):
 * the live columns' values copied as they were encoded, the unit and service per row. Returns the bytes copied.
 */
export function fillRun(row: readonly ColumnBuilder[], shape: RowShape<never>, fragment: StagedColumns, run: { start: number; end: number; rows: number }, columns: EventColumns): number {
  const { start, end, rows } = run;
  let bytes = 0;
  shape.live.forEach(({ index, frontCoded }, c) => {
    const base = fragment.base(c);
    const column = row[index] as ColumnBuilder;
    const from = base + fragment.byteStart(c, start);
    const to = base + fragment.byteStart(c, end);
    bytes += fragment.plainStart(c, end) - fragment.plainStart(c, start);
    if (frontCoded) column.appendFrontCoded(fragment.bytes, from, to, rows);
    else if (index === shape.emptyIsNull) appendTextEmptyAsNull(column, fragment.bytes, from, to, rows);
    else column.appendPlain(fragment.bytes, from, to, rows);
  });
  for (const perRow of [columns.unit, columns.service]) {
    if (perRow === null) continue;
    const column = row[perRow.index] as ColumnBuilder;
    for (let e = start; e < end; e++) {
      const value = perRow.of(e);
      for (let r = fragment.rowStart(e); r < fragment.rowStart(e + 1); r++) {
        if (value) column.pushBytes(value);
        else column.pushNull();
      }
    }
  }
  return bytes;
}

/**
 * Fills the columns of a planned row group (RowGroupJob) from the staged file: a table worker's work, and the writer's
 * own where a worker is gone (StagedTableWriter.appendInWorkers). Keeps the fragment read last in a buffer of its own
 * that grows as needed (Int32 words need a 4-byte aligned start), and the bytes of the services and units.
 */
export class RowGroupFiller {
  #buffer = Buffer.allocUnsafeSlow(1 << 16);
  readonly #texts = new TextBytes();

  /** The job's runs of events into `row` (one builder per column of the job's table). */
  fill(job: RowGroupJob, row: readonly ColumnBuilder[]): void {
    const { layout, runs } = job;
    const shape = shapeOf(layout.table);
    const texts = this.#texts;
    const fd = openSync(job.path, "r");
    try {
      let loaded = -1;
      let fragment: StagedColumns | null = null;
      let first = 0; // the first event of the run in `units`/`services`
      for (const run of runs) {
        if (run.fragment !== loaded) {
          const place = job.fragments[run.fragment] as FragmentPlace;
          if (this.#buffer.length < place.length) this.#buffer = Buffer.allocUnsafeSlow(Math.max(place.length, this.#buffer.length * 2));
          fragment = readFragment(fd, place, this.#buffer, layout.table);
          loaded = run.fragment;
        }
        const at = first - run.start;
        const { units, services } = job;
        const columns: EventColumns = {
          unit: layout.unit === null || units === null ? null : new EventColumn(layout.unit, texts, true, new ListedTexts(units, at)),
          service: layout.service === null || services === null ? null : new EventColumn(layout.service, texts, false, new ListedTexts(services, at)),
        };
        fillRun(row, shape, fragment as StagedColumns, run, columns);
        first += run.end - run.start;
      }
    } finally {
      closeSync(fd);
    }
  }

}
