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
}

/** A buffer of selected lines that the parse is done with, back to the worker to fill again (transferred). */
export interface ScanRecycle {
  recycle: ArrayBuffer;
}

export type ScanReply = { id: number; selected: SelectedLines } | { id: number; error: string; code: string | undefined };
