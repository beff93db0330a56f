/**
 * Worker entry point of the line prefetch (line-prefetch.ts): finds and selects the lines of one
 * JSONL file per message with its source's `lineSelector`, and hands back the selected pieces in
 * one buffer (transferred, not copied). The parse itself stays in the thread that asked. A
 * compiled executable must list this file as a build entry point.
 */
import { PieceCollector, selectLines } from "./shared/jsonl.ts";
import { sourceFor } from "./registry.ts";
import type { ScanReply, ScanRequest } from "./scan-protocol.ts";

declare var self: Worker;

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
