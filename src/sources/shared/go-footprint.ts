import type { ParseContext } from "../types.ts";
import { type Instant, textMicros } from "./timestamps.ts";

/**
 * The times of the lines of a file from which the Go AI Observer's importer writes rows of the kinds we write: its
 * rows carry no key of ours, but each has the time of the line it came from. An import into a database the Go
 * importer also filled removes Go's rows at these times, so that every response counts once, by our rows
 * (import/go-rows.ts). Usage lines (token, cost and per-request rows) and transcript lines are noted apart: Go's
 * transcript rows are replaced only where this run writes transcript rows.
 */
export class GoFootprint {
  readonly #usage: number[] = [];
  readonly #transcript: number[] = [];

  /** A line whose usage (or request, or message event) this file counts. */
  add(instant: Instant): void {
    this.#usage.push(instant.micros);
  }

  /** The time (`Instant.text`) of a row made only with transcripts: a transcript row, an activity metric. */
  addTranscript(text: string): void {
    this.#transcript.push(textMicros(text));
  }

  finish(): { usage: Float64Array; transcript: Float64Array } {
    return { usage: Float64Array.from(this.#usage), transcript: Float64Array.from(this.#transcript) };
  }
}

/** A footprint collector when the parse asks for one (`ParseContext.footprints`). */
export function goFootprint(context: ParseContext | undefined): GoFootprint | null {
  return context?.footprints ? new GoFootprint() : null;
}
