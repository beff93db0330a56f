import { closeSync, openSync, writeSync } from "node:fs";
import { ScratchFolder } from "../db/scratch-files.ts";
import type { StagedEvent, StagedFile } from "./staged-file.ts";

function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
}

/**
 * The staged rows of one run, in two files of a private scratch folder: every copy of every
 * event as parsed, tagged with its event's `seq`. The caller decides which copies count and
 * hands DuckDB their `seq`s (`writeWinners`); nothing of the rows stays in memory.
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
    writeAll(this.#logs, staged.logBytes);
    writeAll(this.#metrics, staged.metricBytes);
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

  /** Writes the `seq`s of the events whose rows count, one per line, and returns the file. */
  writeWinners(events: readonly StagedEvent[], name = "winners.tsv"): string {
    const path = this.#folder.file(name);
    const fd = openSync(path, "w");
    try {
      const lines: string[] = [];
      for (const event of events) lines.push(String(event.seq));
      writeAll(fd, lines.length > 0 ? `${lines.join("\n")}\n` : "");
    } finally {
      closeSync(fd);
    }
    return path;
  }

  dispose(): void {
    this.close();
    this.#folder.dispose();
  }
}
