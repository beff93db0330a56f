import { appendFileSync, closeSync, openSync, readSync } from "node:fs";
import { float64s, int32s } from "./chunked-numbers.ts";
import { stagingFailure } from "./staged-rows.ts";

/** Takes a text value as UTF-8 bytes (a Parquet column, parquet/column-builder.ts). */
export interface ByteSink {
  pushBytes(bytes: Buffer, start: number, end: number): void;
}

/** Keys are written to the file, and read back, this many bytes at a time (a longer key on its own). */
const BLOCK = 1 << 20;

/**
 * The UTF-8 of the chosen events' keys, by row, in a scratch file: the run keeps only their hashes in memory
 * (ChosenEvents), and reads the keys back when it asks for them, in row order (one read per MB) or now and then one.
 * Held in memory, the keys of 1.3 million events (1 GB of Gemini sessions with transcripts) were ~150 MB of the parse's
 * peak (docs/performance.md [S13]).
 */
export class KeyFile {
  readonly #start = float64s();
  readonly #length = int32s();
  #rows = 0;
  /** Keys not written yet: the file's bytes from `#written` on. */
  #pending = Buffer.allocUnsafe(BLOCK);
  #pendingLength = 0;
  #written = 0;
  /** The file's bytes from `#windowStart`, as last read. */
  #window = Buffer.allocUnsafe(BLOCK);
  #windowStart = 0;
  #windowLength = 0;
  #at = 0;
  #end = 0;

  constructor(private readonly path: string) {}

  /** Adds the key of the next row: its UTF-8, `bytes[start..end]`. */
  add(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (this.#pendingLength + length > this.#pending.length) {
      this.#flush();
      if (length > this.#pending.length) this.#pending = Buffer.allocUnsafe(length);
    }
    this.#pending.set(bytes.subarray(start, end), this.#pendingLength);
    const row = this.#rows++;
    this.#start.reserve(this.#rows);
    this.#length.reserve(this.#rows);
    this.#start.set(row, this.#written + this.#pendingLength);
    this.#length.set(row, length);
    this.#pendingLength += length;
  }

  key(row: number): string {
    return this.#locate(row).toString("utf8", this.#at, this.#end);
  }

  /** The key's UTF-8 handed to `sink`. */
  writeKey(row: number, sink: ByteSink): void {
    sink.pushBytes(this.#locate(row), this.#at, this.#end);
  }

  /** Where the key of `row` is at hand: the buffer returned, from `#at` to `#end` (no object per call: once per event). */
  #locate(row: number): Buffer {
    if (row >= this.#rows) throw new Error(`no key for row ${row}`);
    const start = this.#start.get(row);
    const length = this.#length.get(row);
    if (start >= this.#written) {
      this.#at = start - this.#written;
      this.#end = this.#at + length;
      return this.#pending;
    }
    if (start < this.#windowStart || start + length > this.#windowStart + this.#windowLength) this.#read(start, length);
    this.#at = start - this.#windowStart;
    this.#end = this.#at + length;
    return this.#window;
  }

  #read(start: number, length: number): void {
    if (this.#window.length < length) this.#window = Buffer.allocUnsafe(length);
    const wanted = Math.min(this.#window.length, this.#written - start);
    let filled = 0;
    try {
      const fd = openSync(this.path, "r");
      try {
        while (filled < wanted) {
          const read = readSync(fd, this.#window, filled, wanted - filled, start + filled);
          if (read === 0) break;
          filled += read;
        }
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw stagingFailure(error);
    }
    if (filled < length) throw new Error(`the keys' scratch file ${this.path} ends early`);
    this.#windowStart = start;
    this.#windowLength = filled;
  }

  #flush(): void {
    if (this.#pendingLength === 0) return;
    try {
      appendFileSync(this.path, this.#pending.subarray(0, this.#pendingLength));
    } catch (error) {
      throw stagingFailure(error);
    }
    this.#written += this.#pendingLength;
    this.#pendingLength = 0;
  }
}
