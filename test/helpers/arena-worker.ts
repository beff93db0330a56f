/**
 * A worker with a FragmentArena of 1 MB (test/fragment-arena.test.ts): for each `{ size, fill }` it takes room, fills it,
 * and posts the bytes with their lease (shared, not copied), as a parse worker posts a stream fragment.
 */
import { FragmentArena } from "../../src/staging/fragment-arena.ts";

declare var self: Worker;

const arena = new FragmentArena(1 << 20);

self.onmessage = (event: MessageEvent<{ size: number; fill: number }>) => {
  const room = arena.take(event.data.size);
  room?.bytes.fill(event.data.fill);
  self.postMessage(room ? { bytes: room.bytes, lease: room.lease, live: arena.liveFragments } : null);
};
