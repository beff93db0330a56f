import { errorMessage, firstLine } from "../shared/errors.ts";
import { fsReason } from "../shared/fs-errors.ts";
import { stageFile, type StagedFile } from "./staged-file.ts";
import type { DiscoveredFile, ParseContext, SessionSource } from "../sources/types.ts";
import type { ThreadMemory } from "./thread-memory.ts";

/** Where a file was parsed: on this thread, with its lines read here or selected ahead on the scan worker (`prefetch`), or on a parse worker. */
export type ParsedOn = "here" | "prefetch" | "worker";

export type StageOutcome = { staged: StagedFile; ms: number; on?: ParsedOn } | { failure: string };

/** A short reason for a file that could not be read at all (vanished, no permission). */
function failureReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? fsReason(error) : firstLine(errorMessage(error));
}

/**
 * Parses and stages one file (`ordinal`, `streamLogs`: see `stageFile`), in this thread, with its memory (`memory`);
 * rejects only when `context.signal` aborted it.
 */
export async function stageOne(source: SessionSource, file: DiscoveredFile, ordinal: number, memory: ThreadMemory, context: ParseContext = {}, streamLogs = false): Promise<StageOutcome> {
  const started = performance.now();
  try {
    const parsed = await source.parseFile(file, { ...context, texts: memory.texts });
    const staged = stageFile(parsed, ordinal, memory, streamLogs);
    parsed.release?.();
    memory.governor.afterWork(staged.file.bytes);
    return { staged, ms: performance.now() - started };
  } catch (error) {
    if (context.signal?.aborted) throw error;
    return { failure: failureReason(error) };
  }
}
