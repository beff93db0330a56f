import type { StagedColumns } from "./staged-columns.ts";

/** Events `start..end` of a fragment, all of them chosen, written one after another: `rows` rows. */
export interface PlannedRun {
  start: number;
  end: number;
  rows: number;
  /** The run completes its row group. */
  endsGroup: boolean;
}

/** The bytes a run's rows add to the columns a fragment does not carry (the unit, the service), per such column. */
export type ExtraBytes = (start: number, end: number) => readonly number[];

/**
 * Where the row groups of a staged table end, decided here once whichever thread fills them (staged-parquet.ts): a row
 * group ends with the run of events that brings it to `limits.rows` rows or a column to `limits.bytes` bytes; a run
 * ends before the event that would take the row group past either (DuckDB's default row count, or 4 MB in a column).
 * The bytes counted are those the column builders hold: a text column whose empty values are NULL holds none for them.
 */
export class RowGroupPlanner {
  #rows = 0;
  /** Per live column, then per extra column: its bytes in the row group being planned. */
  readonly #bytes: number[];

  constructor(
    readonly columns: number,
    readonly limits: { rows: number; bytes: number },
    /** The live column (its place among the fragment's columns) whose empty values are NULL, or -1. */
    readonly emptyIsNull: number,
    readonly extras: number,
  ) {
    this.#bytes = new Array<number>(columns + extras).fill(0);
  }

  /** The runs of the events of `fragment` that `rowOf` gives a row index (-1: not written), in order. */
  plan(fragment: StagedColumns, rowOf: Int32Array, extraBytes: ExtraBytes | null): PlannedRun[] {
    const runs: PlannedRun[] = [];
    const { limits } = this;
    const bytes = this.#bytes;
    let event = 0;
    while (event < fragment.events) {
      if ((rowOf[event] as number) < 0) {
        event++;
        continue;
      }
      const start = event;
      const roomRows = limits.rows - this.#rows;
      let widestNow = 0;
      for (let c = 0; c < this.columns; c++) widestNow = Math.max(widestNow, bytes[c] as number);
      const roomBytes = limits.bytes - widestNow;
      do event++;
      while (
        event < fragment.events &&
        (rowOf[event] as number) >= 0 &&
        fragment.rowStart(event + 1) - fragment.rowStart(start) <= roomRows &&
        widest(fragment, start, event + 1) <= roomBytes
      );
      const rows = fragment.rowStart(event) - fragment.rowStart(start);
      if (rows === 0) continue;
      for (let c = 0; c < this.columns; c++) {
        bytes[c] = (bytes[c] as number) + (c === this.emptyIsNull ? nonEmptyBytes(fragment, c, start, event) : fragment.plainStart(c, event) - fragment.plainStart(c, start));
      }
      if (extraBytes) extraBytes(start, event).forEach((added, x) => (bytes[this.columns + x] = (bytes[this.columns + x] as number) + added));
      this.#rows += rows;
      const endsGroup = this.#rows >= limits.rows || anyAtLeast(bytes, limits.bytes);
      if (endsGroup) {
        this.#rows = 0;
        bytes.fill(0);
      }
      runs.push({ start, end: event, rows, endsGroup });
    }
    return runs;
  }
}

/** The most bytes any column's values take for events `from..to`. */
export function widest(fragment: StagedColumns, from: number, to: number): number {
  let most = 0;
  for (let c = 0; c < fragment.columns; c++) most = Math.max(most, fragment.plainStart(c, to) - fragment.plainStart(c, from));
  return most;
}

/** The bytes of column `c`'s values of events `from..to` without its empty values (4-byte length, bytes each). */
function nonEmptyBytes(fragment: StagedColumns, c: number, from: number, to: number): number {
  const values = fragment.bytes;
  const end = fragment.base(c) + fragment.byteStart(c, to);
  let held = 0;
  for (let at = fragment.base(c) + fragment.byteStart(c, from); at < end; ) {
    const length = values.readUInt32LE(at);
    if (length > 0) held += 4 + length;
    at += 4 + length;
  }
  return held;
}

/** Whether a value of `values` is `limit` or more. */
export function anyAtLeast(values: readonly number[], limit: number): boolean {
  for (const value of values) if (value >= limit) return true;
  return false;
}
