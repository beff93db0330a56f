import { closeSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { ScratchFolder } from "../db/scratch-files.ts";
import { CliError } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import { writeAllSync } from "../write-all.ts";
import type { StagedFile } from "./staged-file.ts";

/** A full or unwritable temporary folder, said in one line that names it. */
export function stagingFailure(error: unknown): unknown {
  if (!(error as NodeJS.ErrnoException | undefined)?.code) return error;
  return new CliError(`cannot write the session rows to the temporary folder ${tmpdir()}: ${fsReason(error)}; nothing was written (TMPDIR sets another folder)`);
}

/**
 * The staged rows of one run, in two files of a private scratch folder: every copy of every
 * event as parsed, tagged with its event's `seq`. The caller decides which copies count, and
 * writes their rows as Parquet (staged-parquet.ts); nothing of the rows stays in memory.
 */
export class StagedRows {
  readonly #folder: ScratchFolder;
  readonly logsPath: string;
  readonly metricsPath: string;
  readonly #logs: number;
  readonly #metrics: number;
  #open = true;
  #files = 0;

  constructor() {
    try {
      this.#folder = new ScratchFolder("ai-observer-rows-");
    } catch (error) {
      throw stagingFailure(error);
    }
    try {
      this.logsPath = this.#folder.file("logs.tsv");
      this.metricsPath = this.#folder.file("metrics.tsv");
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
      writeAllSync(this.#logs, staged.logBytes);
      writeAllSync(this.#metrics, staged.metricBytes);
    } catch (error) {
      throw stagingFailure(error);
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
