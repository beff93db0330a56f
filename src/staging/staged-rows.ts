import { closeSync, openSync, readSync } from "node:fs";
import { tmpdir } from "node:os";
import { ScratchFolder } from "../db/scratch-files.ts";
import { CliError } from "../shared/errors.ts";
import { fsReason } from "../shared/fs-errors.ts";
import { writeAllSync } from "../shared/write-all.ts";
import { StagedColumns } from "./staged-columns.ts";
import type { StagedFile } from "./staged-file.ts";

/** The tables rows are staged for. */
export type StagedTableKey = "logs" | "metrics";

/** Where one file's fragment of a table lies in that table's scratch file (once written out). */
export interface FragmentPlace {
  offset: number;
  length: number;
}

/**
 * The fragment at `place` in the scratch file `fd`, read into the start of `buffer` (at least its length, on an
 * ArrayBuffer of its own: the fragment's Int32 words need a 4-byte aligned start); `table` names it if the file ends early.
 */
export function readFragment(fd: number, place: FragmentPlace, buffer: Buffer, table: string): StagedColumns {
  for (let filled = 0; filled < place.length; ) {
    const read = readSync(fd, buffer, filled, place.length - filled, place.offset + filled);
    if (read === 0) throw new Error(`${table} staged rows end early`);
    filled += read;
  }
  return new StagedColumns(buffer.subarray(0, place.length));
}

/** A full or unwritable temporary folder, said in one line that names it. */
export function stagingFailure(error: unknown): unknown {
  if (!(error as NodeJS.ErrnoException | undefined)?.code) return error;
  return new CliError(`cannot write the session rows to the temporary folder ${tmpdir()}: ${fsReason(error)}; nothing was written (TMPDIR sets another folder)`);
}

/**
 * How many bytes of staged rows are held in memory before they go to the scratch folder. 4 MB: with 64 MB the
 * fragments held and those written out but not yet collected added ~100 MB to the peak of a 2–6 GB export; with
 * 16 MB a 2 GB export peaked at 208–250 MB instead of 260–322 MB at the same speed. Fragments written out are filled
 * again (FragmentMemory), held ones are fresh memory, a page fault per 4 KB: with 16 MB the 400 MB usage export made
 * 16.8 MB of its 27 MB of fragments in fresh memory, with 4 MB 8 MB, and took 0.64-0.65 against 0.68-0.71 s (medians
 * of 12 runs, a 2-vCPU VM where a fault costs ~15 us), 11 MB less at its peak; 200 MB of Gemini sessions 3.3 against
 * 4.7 s. Below the budget nothing is written out (a day's sessions stage a few MB).
 */
const DEFAULT_MEMORY_BUDGET = 4 << 20;

/**
 * The staged rows of one run: every copy of every event as parsed, one fragment per file and
 * table (staged-columns.ts). Up to a memory budget they are held here; past it, all held so far go
 * to two files of a private scratch folder (made only then), so memory stays bounded whatever the
 * history's size. The caller decides which copies count, and writes their rows as Parquet
 * (staged-parquet.ts).
 */
export class StagedRows {
  #folder: ScratchFolder | null = null;
  #files: Record<StagedTableKey, number> | null = null;
  readonly #spilled: Record<StagedTableKey, FragmentPlace[]> = { logs: [], metrics: [] };
  readonly #sizes: Record<StagedTableKey, number> = { logs: 0, metrics: 0 };
  /** Fragments not written out: all of them come after every spilled one. */
  #held: Record<StagedTableKey, Uint8Array[]> = { logs: [], metrics: [] };
  #heldBytes = 0;
  readonly #columnBytes: Record<StagedTableKey, number[]> = { logs: [], metrics: [] };
  /** The buffers of fragments written out since `takeReleased` (see FragmentMemory). */
  #released: ArrayBuffer[] = [];
  #open = true;
  #ordinals = 0;

  readonly memoryBudget: number;
  /** The ResourceAttributes of every row (shared/origin.ts: the machine they were read on, or `{}`). */
  readonly resourceAttributes: Buffer;

  /** `memoryBudget`: RunSettings.stagedMemoryBytes (tests use 0: every fragment goes to disk), else the default. */
  constructor(memoryBudget: number | null = null, resourceAttributes = "{}") {
    this.memoryBudget = memoryBudget ?? DEFAULT_MEMORY_BUDGET;
    this.resourceAttributes = Buffer.from(resourceAttributes);
  }

  /** Ordinals for `count` more files (StagedEvent.seq numbers events by them). */
  reserveOrdinals(count: number): number {
    const first = this.#ordinals;
    this.#ordinals += count;
    return first;
  }

  add(staged: StagedFile): void {
    if (!this.#open) throw new Error("staged rows are closed");
    this.#hold("logs", staged.logBytes);
    this.#hold("metrics", staged.metricBytes);
    if (this.#heldBytes > this.memoryBudget) this.#spill();
  }

  #hold(table: StagedTableKey, fragment: Uint8Array): void {
    if (fragment.length === 0) return;
    const columns = new StagedColumns(Buffer.from(fragment.buffer, fragment.byteOffset, fragment.length));
    const sums = this.#columnBytes[table];
    for (let c = 0; c < columns.columns; c++) sums[c] = (sums[c] ?? 0) + columns.plainStart(c, columns.events);
    this.#held[table].push(fragment);
    this.#heldBytes += fragment.length;
  }

  /** Writes every held fragment to the scratch files. */
  #spill(): void {
    try {
      const files = this.#openFiles();
      for (const table of ["logs", "metrics"] as const) {
        for (const fragment of this.#held[table]) {
          writeAllSync(files[table], fragment);
          this.#spilled[table].push({ offset: this.#sizes[table], length: fragment.length });
          this.#sizes[table] += fragment.length;
          this.#released.push(fragment.buffer as ArrayBuffer);
        }
      }
    } catch (error) {
      throw stagingFailure(error);
    }
    this.#held = { logs: [], metrics: [] };
    this.#heldBytes = 0;
  }

  /** Memory of a fragment taken elsewhere (LogStream), no longer needed: handed out with the next `takeReleased`. */
  recycle(buffer: ArrayBuffer): void {
    this.#released.push(buffer);
  }

  /** The memory of the fragments written out since the last call, for the thread that stages the next ones (FragmentMemory). */
  takeReleased(): ArrayBuffer[] {
    const released = this.#released;
    this.#released = [];
    return released;
  }

  #openFiles(): Record<StagedTableKey, number> {
    if (!this.#files) {
      const logs = openSync(this.#stagedPath("logs"), "w");
      try {
        this.#files = { logs, metrics: openSync(this.#stagedPath("metrics"), "w") };
      } catch (error) {
        closeSync(logs);
        throw error;
      }
    }
    return this.#files;
  }

  /** Where a table's fragments go once they are written out. */
  #stagedPath(table: StagedTableKey): string {
    return this.#scratchFolder().file(`${table}.staged`);
  }

  #scratchFolder(): ScratchFolder {
    this.#folder ??= new ScratchFolder("ai-observer-rows-");
    return this.#folder;
  }

  /** Per live column of a table, the bytes of all its staged values as PLAIN (of every copy: an upper bound for any selection). */
  columnBytes(table: StagedTableKey): readonly number[] {
    return this.#columnBytes[table];
  }

  /** How many bytes went to the scratch folder (0: all were held in memory). */
  get spilledBytes(): number {
    return this.#sizes.logs + this.#sizes.metrics;
  }

  /**
   * A table's fragments, in the order they were added (after `close`). A fragment read back from disk is only
   * valid until the next one is read: its memory is reused.
   */
  *fragments(table: StagedTableKey): Generator<StagedColumns> {
    if (this.#open) throw new Error("staged rows are read back only after close()");
    const places = this.#spilled[table];
    if (places.length > 0) {
      const fd = openSync(this.#stagedPath(table), "r");
      try {
        const buffer = Buffer.allocUnsafeSlow(Math.max(...places.map((place) => place.length)));
        for (const place of places) yield readFragment(fd, place, buffer, table);
      } finally {
        closeSync(fd);
      }
    }
    for (const fragment of this.#held[table]) yield new StagedColumns(Buffer.from(fragment.buffer, fragment.byteOffset, fragment.length));
  }

  /**
   * Ends adding; the rows stay until `dispose`. `spillHeld`: the fragments still held go to the scratch files too, so
   * that other threads can read every fragment from there (`stagedFile`).
   */
  close(spillHeld = false): void {
    if (!this.#open) return;
    if (spillHeld && this.#heldBytes > 0) this.#spill();
    this.#open = false;
    if (this.#files) {
      closeSync(this.#files.logs);
      closeSync(this.#files.metrics);
    }
  }

  /**
   * Where a table's fragments lie (after `close(true)`), in the order `fragments` yields them; null when some are
   * held in memory.
   */
  stagedFile(table: StagedTableKey): { path: string; places: readonly FragmentPlace[] } | null {
    if (this.#open) throw new Error("staged rows are read back only after close()");
    if (this.#held[table].length > 0) return null;
    const places = this.#spilled[table];
    return { path: places.length > 0 ? this.#stagedPath(table) : "", places };
  }

  /** Lets go of the staged rows once they were written as Parquet (fragments() is then empty; the scratch files stay until dispose). */
  release(): void {
    this.#held = { logs: [], metrics: [] };
    this.#heldBytes = 0;
    this.#spilled.logs = [];
    this.#spilled.metrics = [];
  }

  /** A path for another file in the run's scratch folder (made if needed; removed with it). */
  scratchFile(name: string): string {
    try {
      return this.#scratchFolder().file(name);
    } catch (error) {
      throw stagingFailure(error);
    }
  }

  dispose(): void {
    try {
      this.close();
    } finally {
      this.release();
      this.#folder?.dispose();
      this.#folder = null;
    }
  }
}
