import { ColumnBuilder } from "../parquet/column-builder.ts";
import { tableColumns } from "../db/table-columns.ts";
import type { FragmentMemory } from "./fragment-memory.ts";
import type { RowShape } from "./row-shape.ts";

/*
 * One file's staged rows of one table, as the Parquet writer takes them: the values of each live
 * column PLAIN-encoded (or front-coded: see RowShape), event after event, with where each event's
 * rows start, where its values start, and how many bytes they take as PLAIN. Int32 words (native
 * byte order: the bytes never leave this run), then the values:
 *
 *   ordinal  columns  events  rowStarts[events + 1]  (byteStarts[events + 1]) × columns  (plainStarts[events + 1]) × columns  values × columns
 */

const HEADER_WORDS = 3;

/**
 * Where list `list` of a fragment's header starts, in words: list 0 the row starts, 1 + c column c's byte starts,
 * 1 + columns + c its PLAIN starts; list 1 + 2 × columns is the values' start (the header's length).
 */
export function headerWord(events: number, list: number): number {
  return HEADER_WORDS + (events + 1) * list;
}

/**
 * Builds one file's fragment of a table (in the thread that parses the file); `reset` starts the
 * next file's, keeping the memory.
 */
export class StagedColumnsBuilder<R> {
  readonly #columns: ColumnBuilder[];
  readonly #rowStarts: number[] = [0];
  readonly #byteStarts: number[][];
  readonly #plainStarts: number[][];
  /** The front-coded columns' builders: each event's first value shares nothing with the event before. */
  readonly #frontCoded: ColumnBuilder[];
  #ordinal = 0;
  #rows = 0;

  constructor(readonly shape: RowShape<R>) {
    const specs = tableColumns(shape.table);
    this.#columns = shape.live.map(({ index, frontCoded }) => new ColumnBuilder(specs[index] as (typeof specs)[number], undefined, frontCoded));
    this.#frontCoded = this.#columns.filter((column) => column.frontCoded);
    this.#byteStarts = shape.live.map(() => [0]);
    this.#plainStarts = shape.live.map(() => [0]);
  }

  /** Starts the fragment of the file numbered `ordinal` (see StagedEvent.seq). */
  reset(ordinal: number): void {
    this.#ordinal = ordinal;
    this.#rows = 0;
    this.#rowStarts.length = 1;
    for (const starts of this.#byteStarts) starts.length = 1;
    for (const starts of this.#plainStarts) starts.length = 1;
    for (const column of this.#columns) column.reset();
  }

  /** One event's rows (`micros`: their timestamp, `key`: the event's). */
  addEvent(rows: readonly R[], key: string, micros: number): void {
    const live = this.shape.live;
    for (const column of this.#frontCoded) column.breakSharing();
    for (const row of rows) {
      for (let c = 0; c < live.length; c++) (live[c] as (typeof live)[number]).cell(this.#columns[c] as ColumnBuilder, row, key, micros);
    }
    this.#rows += rows.length;
    this.#rowStarts.push(this.#rows);
    for (let c = 0; c < this.#columns.length; c++) {
      const column = this.#columns[c] as ColumnBuilder;
      (this.#byteStarts[c] as number[]).push(column.bytes);
      (this.#plainStarts[c] as number[]).push(column.plainBytes);
    }
  }

  /**
   * The fragment, at the start of a buffer of its own (a worker hands it over without a copy), taken from `memory`
   * when it has one large enough; empty when no event had rows of this table.
   */
  finish(memory?: FragmentMemory): Uint8Array {
    const size = this.size;
    if (size === 0) return new Uint8Array(0);
    // Not zero-filled: every byte is written.
    return this.writeTo(new Uint8Array(memory?.take(size) ?? Buffer.allocUnsafeSlow(size).buffer, 0, size));
  }

  /** The fragment's length in bytes (0: no event had rows of this table). */
  get size(): number {
    if (this.#rows === 0) return 0;
    const events = this.#rowStarts.length - 1;
    return headerWord(events, 1 + 2 * this.#columns.length) * 4 + this.#columns.reduce((sum, column) => sum + column.values().length, 0);
  }

  /** The fragment written into `bytes` (`size` long, at a multiple of 4 in its buffer), which it returns. */
  writeTo(bytes: Uint8Array): Uint8Array {
    const events = this.#rowStarts.length - 1;
    const columns = this.#columns.length;
    const words = headerWord(events, 1 + 2 * columns);
    const header = new Int32Array(bytes.buffer, bytes.byteOffset, words);
    header.set([this.#ordinal, columns, events]);
    header.set(this.#rowStarts, headerWord(events, 0));
    this.#byteStarts.forEach((starts, c) => header.set(starts, headerWord(events, 1 + c)));
    this.#plainStarts.forEach((starts, c) => header.set(starts, headerWord(events, 1 + columns + c)));
    let at = words * 4;
    for (const column of this.#columns) {
      const value = column.values();
      bytes.set(value, at);
      at += value.length;
    }
    return bytes;
  }
}

/** A fragment read back: `bytes` must start at a multiple of 4 in its ArrayBuffer. */
export class StagedColumns {
  readonly ordinal: number;
  readonly columns: number;
  readonly events: number;
  readonly #words: Int32Array;
  /** Where each column's values start in `bytes`. */
  readonly #bases: number[] = [];

  constructor(readonly bytes: Buffer) {
    if (bytes.byteOffset % 4 !== 0) throw new Error("a staged fragment must be 4-byte aligned");
    const head = new Int32Array(bytes.buffer, bytes.byteOffset, HEADER_WORDS);
    [this.ordinal, this.columns, this.events] = head as unknown as [number, number, number];
    const words = headerWord(this.events, 1 + 2 * this.columns);
    this.#words = new Int32Array(bytes.buffer, bytes.byteOffset, words);
    let base = words * 4;
    for (let c = 0; c < this.columns; c++) {
      this.#bases.push(base);
      base += this.byteStart(c, this.events);
    }
    if (base !== bytes.length) throw new Error("a staged fragment has the wrong length");
  }

  /** The first row of event `event` (`events`: the row count). */
  rowStart(event: number): number {
    return this.#words[HEADER_WORDS + event] as number;
  }

  /** Where event `event`'s values of column `column` start, relative to the column's values. */
  byteStart(column: number, event: number): number {
    return this.#words[headerWord(this.events, 1 + column) + event] as number;
  }

  /** The bytes event `event`'s values of column `column` take as PLAIN, after those of the events before (see byteStart). */
  plainStart(column: number, event: number): number {
    return this.#words[headerWord(this.events, 1 + this.columns + column) + event] as number;
  }

  /** Where column `column`'s values start in `bytes`. */
  base(column: number): number {
    return this.#bases[column] as number;
  }
}
