/**
 * The usage floor's reading thread (see main.ts): our own line selection (`selectLines` with the usage export's
 * selector, `message.content` left out), each file's selected lines handed to the main thread in one transferred buffer.
 */
import { PieceCollector, selectLines } from "../../src/sources/shared/jsonl.ts";
import { CLAUDE_SELECTOR } from "../../src/sources/claude/parse.ts";

declare var self: Worker;

export interface FloorFile {
  pieces: Uint8Array;
  ends: Int32Array;
}

self.onmessage = async (event: MessageEvent<{ paths: string[] }>) => {
  for (const path of event.data.paths) {
    const collector = new PieceCollector(1 << 16, undefined, CLAUDE_SELECTOR.elide);
    const selected = collector.finish(await selectLines(path, CLAUDE_SELECTOR, { hash: false }, collector));
    self.postMessage({ pieces: selected.pieces, ends: selected.ends } satisfies FloorFile, [selected.pieces.buffer as ArrayBuffer]);
  }
};
