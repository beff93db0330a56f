/**
 * Worker entry point of the line prefetch (line-prefetch.ts): finds and selects the lines of one
 * JSONL file per message with its source's `lineSelector`, and hands back the selected pieces in
 * one buffer (transferred, not copied). The parse itself stays in the thread that asked. A
 * compiled executable must list this file as a build entry point.
 */
import { PieceCollector, selectLines } from "../sources/shared/jsonl.ts";
import { sourceFor } from "../sources/registry.ts";
import { Claim, type ScanRecycle, type ScanReply, type ScanRequest } from "./scan-protocol.ts";
import { keepHotPathsOffTopTier } from "./hot-paths.ts";

declare var self: Worker;

keepHotPathsOffTopTier();

/**
 * Buffers the parse gave back, to fill again (fresh memory costs a page fault per 4 KB), at most MAX_RECYCLED_BYTES
 * of them. The smallest that is large enough is taken, so that a small file does not take the buffer a large one
 * needs (400 MB of Claude sessions: 26 fresh buffers of 231 with the prefetch 16 MB ahead, against 99 with the first
 * large enough, at most 8 kept and 96 MB ahead).
 */
const recycled: Buffer[] = [];
const MAX_RECYCLED_BYTES = 16 << 20;
let recycledBytes = 0;

function keep(buffer: Buffer): void {
  if (recycledBytes + buffer.length > MAX_RECYCLED_BYTES) return;
  recycled.push(buffer);
  recycledBytes += buffer.length;
}

/** The smallest recycled buffer of at least `bytes`, if there is one. */
function memoryFor(bytes: number): Buffer | undefined {
  let best = -1;
  recycled.forEach((buffer, i) => {
    if (buffer.length >= bytes && (best < 0 || buffer.length < (recycled[best] as Buffer).length)) best = i;
  });
  if (best < 0) return undefined;
  const [buffer] = recycled.splice(best, 1) as [Buffer];
  recycledBytes -= buffer.length;
  return buffer;
}

self.onmessage = async (event: MessageEvent<ScanRequest | ScanRecycle>) => {
  const message = event.data;
  if ("recycle" in message) {
    keep(Buffer.from(message.recycle));
    return;
  }
  const { id, tool, path, hash, transcripts, claims } = message;
  if (Atomics.compareExchange(claims, id, Claim.Unclaimed, Claim.Worker) !== Claim.Unclaimed) {
    self.postMessage({ id, skipped: true } satisfies ScanReply);
    return;
  }
  try {
    const selector = sourceFor(tool).lineSelector?.({ transcripts });
    if (!selector) throw new Error(`${tool} has no line selector`);
    // Selected lines are a small part of a session file (a tenth of a Claude file); the buffer grows if needed.
    const expected = Math.max(1 << 16, message.size >> 3);
    const collector = new PieceCollector(expected, memoryFor(expected), selector.elide);
    const selected = collector.finish(await selectLines(path, selector, { hash }, collector));
    self.postMessage({ id, selected } satisfies ScanReply, [selected.pieces.buffer as ArrayBuffer]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error), code } satisfies ScanReply);
  }
};
