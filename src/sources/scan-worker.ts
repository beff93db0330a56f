/**
 * Worker entry point of the line prefetch (line-prefetch.ts): finds and selects the lines of one
 * JSONL file per message with its source's `lineSelector`, and hands back the selected pieces in
 * one buffer (transferred, not copied). The parse itself stays in the thread that asked. A
 * compiled executable must list this file as a build entry point.
 */
import type { ToolId } from "../sources.ts";
import { PieceCollector, type SelectedLines, selectLines } from "./shared/jsonl.ts";
import { sourceFor } from "./registry.ts";

declare var self: Worker;

export interface ScanRequest {
  id: number;
  tool: ToolId;
  path: string;
  /** The file's size, to size the buffer of selected lines. */
  size: number;
  hash: boolean;
}

export type ScanReply = { id: number; selected: SelectedLines } | { id: number; error: string; code: string | undefined };

self.onmessage = async (event: MessageEvent<ScanRequest>) => {
  const { id, tool, path, hash } = event.data;
  try {
    const selector = sourceFor(tool).lineSelector;
    if (!selector) throw new Error(`${tool} has no line selector`);
    // Selected lines are a small part of a session file (a tenth of a Claude file); the buffer grows if needed.
    const collector = new PieceCollector(Math.max(1 << 16, event.data.size >> 3));
    const selected = collector.finish(await selectLines(path, selector, { hash }, collector.add));
    self.postMessage({ id, selected } satisfies ScanReply, [selected.pieces.buffer as ArrayBuffer]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error), code } satisfies ScanReply);
  }
};
