import { errorMessage, firstLine } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import type { DiscoveredFile, ParsedFile, SessionSource } from "./types.ts";

export type ParseOutcome = { parsed: ParsedFile; ms: number } | { failure: string };

/** A short reason for a file that could not be read at all (vanished, no permission). */
export function failureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? fsReason(error) : firstLine(errorMessage(error));
}

/** One file, in this thread; rejects only when `signal` aborted it. */
export async function parseOne(source: SessionSource, file: DiscoveredFile, signal?: AbortSignal): Promise<ParseOutcome> {
  const started = performance.now();
  try {
    const parsed = await source.parseFile(file, { signal });
    return { parsed, ms: performance.now() - started };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { failure: failureReason(error) };
  }
}
