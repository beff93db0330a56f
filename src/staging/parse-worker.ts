/**
 * Worker entry point of the parse pool (`parse-run.ts`): parses and stages one file per
 * message, in this thread. Only the staged result crosses back (the rows as text, the events
 * as small records): tens of thousands of row objects would be slow to clone. A compiled
 * executable must list this file as a build entry point.
 */
import type { ToolId } from "../shared/sources.ts";
import { newThreadMemory } from "./thread-memory.ts";
import type { StagedFile } from "./staged-file.ts";
import { stageOne } from "./parse-one.ts";
import { sourceFor } from "../sources/registry.ts";
import type { DiscoveredFile } from "../sources/types.ts";
import { keepHotPathsOffTopTier, keepTranscriptLoopsOffTopTier } from "./hot-paths.ts";

declare var self: Worker;

keepHotPathsOffTopTier();

export interface ParseRequest {
  id: number;
  tool: ToolId;
  file: DiscoveredFile;
  ordinal: number;
  hash: boolean;
  footprints: boolean;
  transcripts: boolean;
  /** See `stageFile`. */
  streamLogs: boolean;
}

/** Memory of staged fragments the caller no longer holds (see FragmentMemory); no reply. */
export interface RecycleRequest {
  recycle: ArrayBuffer[];
}

export type ParseReply = { id: number; staged: StagedFile; ms: number } | { id: number; failure: string } | { id: number; crashed: string };

/** This worker's: it lives as long as the run that started it. */
const memory = newThreadMemory(true);
/** Whether the byte loops for transcripts are kept off the top tier here (its run parses none). */
let transcriptLoopsOffTopTier = false;

self.onmessage = async (event: MessageEvent<ParseRequest | RecycleRequest>) => {
  if ("recycle" in event.data) {
    memory.fragments.give(event.data.recycle);
    return;
  }
  const { id, tool, file, ordinal, hash, footprints, transcripts, streamLogs } = event.data;
  if (!transcripts && !transcriptLoopsOffTopTier) {
    keepTranscriptLoopsOffTopTier();
    transcriptLoopsOffTopTier = true;
  }
  let reply: ParseReply;
  try {
    const outcome = await stageOne(sourceFor(tool), file, ordinal, memory, { hash, footprints, transcripts }, streamLogs);
    reply = "failure" in outcome ? { id, failure: outcome.failure } : { id, staged: outcome.staged, ms: outcome.ms };
  } catch (error) {
    reply = { id, crashed: String(error) };
  }
  // The staged rows' bytes are handed over, not copied (those in the arena are shared).
  const { staged } = "staged" in reply ? reply : { staged: null };
  const buffers = staged ? [staged.logBytes.buffer, staged.metricBytes.buffer, staged.streamLogBytes.buffer, ...staged.events.buffers()] : [];
  self.postMessage(reply, buffers.filter((buffer) => buffer instanceof ArrayBuffer));
};
