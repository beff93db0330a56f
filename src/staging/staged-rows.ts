import { closeSync, openSync, readSync } from "node:fs";
import { tmpdir } from "node:os";
import { ScratchFolder } from "../db/scratch-files.ts";
import { CliError } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import { writeAllSync } from "../write-all.ts";
import { StagedColumns } from "./staged-columns.ts";
import type { StagedFile } from "./staged-file.ts";

/** The tables rows are staged for. */
export type StagedTableKey = "logs" | "metrics";

/** Where one file's fragment of a table lies in that table's scratch file. */
interface FragmentPlace {
  offset: number;
  length: number;
}

/** A full or unwritable temporary folder, said in one line that names it. */
export function stagingFailure(error: unknown): unknown {
  if (!(error as NodeJS.ErrnoException | undefined)?.code) return error;
  return new CliError(`cannot write the session rows to the temporary folder ${tmpdir()}: ${fsReason(error)}; nothing was written (TMPDIR sets another folder)`);
}

/**
 * The staged rows of one run, in two files of a private scratch folder: every copy of every
 * event as parsed, one fragment per file and table (staged-columns.ts). The caller decides which
 * copies count, and writes their rows as Parquet (staged-parquet.ts); nothing of the rows stays
 * in memory but where each fragment lies.
 */
export class StagedRows {
  readonly #folder: ScratchFolder;
  readonly logsPath: string;
  readonly metricsPath: string;
  readonly #logs: number;
  readonly #metrics: number;
  readonly #places: Record<StagedTableKey, FragmentPlace[]> = { logs: [], metrics: [] };
  readonly #sizes: Record<StagedTableKey, number> = { logs: 0, metrics: 0 };
  readonly #columnBytes: Record<StagedTableKey, number[]> = { logs: [], metrics: [] };
  #open = true;
  #files = 0;

  constructor() {
    try {
      this.#folder = new ScratchFolder("ai-observer-rows-");
    } catch (error) {
      throw stagingFailure(error);
    }
    try {
      this.logsPath = this.#folder.file("logs.staged");
      this.metricsPath = this.#folder.file("metrics.staged");
      this.#logs = openSync(this.logsPath, "w");
      this.#metrics = openSync(this.metricsPath, "w");
    } catch (error) {
      this.#folder.dispose();
      throw stagingFailure(error);
    }
  }

  /** Ordinals for `count` more files (StagedEvent.seq numbers events by them). */
  reserveOrdinals(count: number): number {
    const first = this.#files;
    this.#files += count;
    return first;
  }

  add(staged: StagedFile): void {
    try {
      this.#append("logs", this.#logs, staged.logBytes);
      this.#append("metrics", this.#metrics, staged.metricBytes);
    } catch (error) {
      throw stagingFailure(error);
    }
  }

  #append(table: StagedTableKey, fd: number, fragment: Uint8Array): void {
    if (fragment.length === 0) return;
    const columns = new StagedColumns(Buffer.from(fragment.buffer, fragment.byteOffset, fragment.length));
    const sums = this.#columnBytes[table];
    for (let c = 0; c < columns.columns; c++) sums[c] = (sums[c] ?? 0) + columns.byteStart(c, columns.events);
    writeAllSync(fd, fragment);
    this.#places[table].push({ offset: this.#sizes[table], length: fragment.length });
    this.#sizes[table] += fragment.length;
  }

  /** Per live column of a table, the bytes of all its staged values (of every copy: an upper bound for any selection). */
  columnBytes(table: StagedTableKey): readonly number[] {
    return this.#columnBytes[table];
  }

  /**
   * A table's fragments, in the order they were added, read back one at a time (after `close`). A fragment is
   * only valid until the next one is read: its memory is reused.
   */
  *fragments(table: StagedTableKey): Generator<StagedColumns> {
    if (this.#open) throw new Error("staged rows are read back only after close()");
    const places = this.#places[table];
    if (places.length === 0) return;
    const fd = openSync(table === "logs" ? this.logsPath : this.metricsPath, "r");
    try {
      // Its own ArrayBuffer (allocUnsafeSlow): the fragment's Int32 words need a 4-byte aligned start.
      const buffer = Buffer.allocUnsafeSlow(Math.max(...places.map((place) => place.length)));
      for (const place of places) {
        let filled = 0;
        while (filled < place.length) {
          const read = readSync(fd, buffer, filled, place.length - filled, place.offset + filled);
          if (read === 0) throw new Error(`${table} staged rows end early`);
          filled += read;
        }
        yield new StagedColumns(buffer.subarray(0, place.length));
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Ends writing; the files stay until `dispose`. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    closeSync(this.#logs);
    closeSync(this.#metrics);
  }

  /** A path for another file in the same scratch folder (removed with it). */
  scratchFile(name: string): string {
    return this.#folder.file(name);
  }

  dispose(): void {
    this.close();
    this.#folder.dispose();
  }
}
