import type { ToolId } from "../shared/sources.ts";
import type { SelectedLines } from "../sources/shared/jsonl.ts";

/** The messages between the line prefetch (line-prefetch.ts) and its worker (scan-worker.ts). */

export interface ScanRequest {
  id: number;
  tool: ToolId;
  path: string;
  /** The file's size, to size the buffer of selected lines. */
  size: number;
  hash: boolean;
  /** Select the lines a parse with transcripts reads (SessionSource.lineSelector). */
  transcripts: boolean;
  /** Who does each file, by id (see Claim): the worker claims a file before it begins it. */
  claims: Int32Array;
}

/** A file's entry in `ScanRequest.claims`, set once with `Atomics.compareExchange` by whichever thread begins it first. */
export const enum Claim {
  Unclaimed = 0,
  Worker = 1,
  Parse = 2,
}

/** A buffer of selected lines that the parse is done with, back to the worker to fill again (transferred). */
export interface ScanRecycle {
  recycle: ArrayBuffer;
}

/** `skipped`: the parse claimed the file first and reads it itself. */
export type ScanReply = { id: number; selected: SelectedLines } | { id: number; error: string; code: string | undefined } | { id: number; skipped: true };
