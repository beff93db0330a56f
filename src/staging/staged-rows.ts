import { closeSync, openSync } from "node:fs";
import { ScratchFolder } from "../db/scratch-files.ts";
import { writeAllSync } from "../write-all.ts";
import type { StagedFile } from "./staged-file.ts";

/**
 * The staged rows of one run, in two files of a private scratch folder: every copy of every
 * event as parsed, tagged with its event's `seq`. The caller decides which copies count, and
 * writes their rows as Parquet (staged-parquet.ts); nothing of the rows stays in memory.
 */
export class StagedRows {
  readonly #folder = new ScratchFolder("ai-observer-rows-");
  readonly logsPath = this.#folder.file("logs.tsv");
  readonly metricsPath = this.#folder.file("metrics.tsv");
  readonly #logs = openSync(this.logsPath, "w");
  readonly #metrics = openSync(this.metricsPath, "w");
  #open = true;
  #files = 0;

  /** Ordinals for `count` more files (StagedEvent.seq numbers events by them). */
  reserveOrdinals(count: number): number {
    const first = this.#files;
    this.#files += count;
    return first;
  }

  add(staged: StagedFile): void {
    writeAllSync(this.#logs, staged.logBytes);
    writeAllSync(this.#metrics, staged.metricBytes);
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
