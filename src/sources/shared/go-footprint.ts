import type { ParseContext } from "../types.ts";
import type { Instant } from "./timestamps.ts";

/**
 * The times of the lines of a file from which the Go AI Observer's importer writes rows of the kinds we write (its
 * token, cost and per-request rows): its rows carry no key of ours, but each has the time of the line it came
 * from. An import into a database the Go importer also filled removes Go's rows at these times, so that every
 * response counts once, by our rows (import/go-rows.ts).
 */
export class GoFootprint {
  readonly #micros: number[] = [];

  add(instant: Instant): void {
    this.#micros.push(instant.micros);
  }

  finish(): Float64Array {
    return Float64Array.from(this.#micros);
  }
}

/** A footprint collector when the parse asks for one (`ParseContext.footprints`). */
export function goFootprint(context: ParseContext | undefined): GoFootprint | null {
  return context?.footprints ? new GoFootprint() : null;
}
