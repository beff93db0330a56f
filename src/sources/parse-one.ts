import { errorMessage, firstLine } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import { stageFile, type StagedFile } from "../staging/staged-file.ts";
import type { DiscoveredFile, ParseContext, SessionSource } from "./types.ts";

export type StageOutcome = { staged: StagedFile; ms: number } | { failure: string };

/** A short reason for a file that could not be read at all (vanished, no permission). */
export function failureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? fsReason(error) : firstLine(errorMessage(error));
}

/** Parses and stages one file (`ordinal`: see `stageFile`), in this thread; rejects only when `context.signal` aborted it. */
export async function stageOne(source: SessionSource, file: DiscoveredFile, ordinal: number, context: ParseContext = {}): Promise<StageOutcome> {
  const started = performance.now();
  try {
    const g = globalThis as unknown as { T: Record<string, number> }; g.T ??= {};
    const a = performance.now(); const parsed = await source.parseFile(file, context); const b = performance.now();
    const staged = stageFile(parsed, ordinal); const c = performance.now();
    g.T.parse = (g.T.parse ?? 0) + b - a; g.T.stage = (g.T.stage ?? 0) + c - b; g.T.events = (g.T.events ?? 0) + parsed.events.length; g.T.rows = (g.T.rows ?? 0) + parsed.events.reduce((s, e) => s + e.logs.length + e.metrics.length, 0);
    return { staged, ms: performance.now() - started };
  } catch (error) {
    if (context.signal?.aborted) throw error;
    return { failure: failureReason(error) };
  }
}
