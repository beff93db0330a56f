import { describe, expect, test } from "bun:test";
import { FragmentMemory } from "../src/staging/fragment-memory.ts";
import { FragmentArena, releaseLease, type ArenaLease } from "../src/staging/fragment-arena.ts";

describe("FragmentArena", () => {
  test("takes the lowest room a fragment fits in, 8-byte aligned, and takes a fragment's room again once given back", () => {
    const arena = new FragmentArena(100);
    const a = arena.take(30);
    const b = arena.take(21);
    const c = arena.take(20);
    expect([a?.bytes.byteOffset, b?.bytes.byteOffset, c?.bytes.byteOffset]).toEqual([0, 32, 56]);
    expect(b?.bytes.length).toBe(21);
    expect(arena.take(25)).toBeNull(); // 76..100 holds 24
    releaseLease((a as { lease: ArenaLease }).lease);
    // The oldest given back first or not, its room is the lowest: a younger fragment's is taken back as well.
    expect(arena.take(25)?.bytes.byteOffset).toBe(0);
    releaseLease((c as { lease: ArenaLease }).lease);
    expect(arena.take(40)?.bytes.byteOffset).toBe(56);
    expect(arena.liveFragments).toBe(3);
    expect(arena.take(101)).toBeNull(); // larger than it
  });

  test("its memory is one SharedArrayBuffer, grown by whole MBs as fragments are written further in", () => {
    const arena = new FragmentArena(8 << 20);
    expect(arena.heldBytes).toBe(0); // nothing reserved before the first fragment
    const first = arena.take(1.5 * (1 << 20));
    expect(first?.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(arena.heldBytes).toBe(2 << 20);
    const second = arena.take(3 << 20);
    expect(second?.bytes.buffer).toBe(first?.bytes.buffer);
    expect(arena.heldBytes).toBe(5 << 20);
    releaseLease((first as { lease: ArenaLease }).lease);
    expect(arena.take(1 << 20)?.bytes.byteOffset).toBe(0);
    expect(arena.heldBytes).toBe(5 << 20);
  });

  test(`holds at most ${FragmentArena.SLOTS} fragments at once`, () => {
    const arena = new FragmentArena(1 << 20);
    const taken = Array.from({ length: FragmentArena.SLOTS }, () => arena.take(8));
    expect(taken.every((room) => room !== null)).toBe(true);
    expect(arena.take(8)).toBeNull();
    releaseLease((taken[10] as { lease: ArenaLease }).lease);
    expect(arena.take(8)?.bytes.byteOffset).toBe(80);
  });

  test("a fragment taken on a worker reaches this thread without a copy, and its room is taken again once given back here", async () => {
    const worker = new Worker(new URL("./helpers/arena-worker.ts", import.meta.url).href);
    type Reply = { bytes: Uint8Array; lease: ArenaLease; live: number } | null;
    const ask = (size: number, fill: number) =>
      new Promise<Reply>((resolve) => {
        worker.addEventListener("message", (event: MessageEvent<Reply>) => resolve(event.data), { once: true });
        worker.postMessage({ size, fill });
      });
    try {
      const first = (await ask(600 << 10, 7)) as NonNullable<Reply>;
      expect(first.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect([first.bytes.byteOffset, first.bytes.length, first.bytes[0], first.bytes.at(-1)]).toEqual([0, 600 << 10, 7, 7]);
      expect(await ask(600 << 10, 8)).toBeNull(); // 1 MB holds one of them
      releaseLease(first.lease);
      const second = (await ask(600 << 10, 9)) as NonNullable<Reply>;
      expect([second.bytes.byteOffset, second.live]).toEqual([0, 1]);
      // The same memory: the first fragment's bytes, read here, are the second's now.
      expect(first.bytes[0]).toBe(9);
    } finally {
      worker.terminate();
    }
  });
});

describe("FragmentMemory beside a arena", () => {
  test("keeps its bound less what the arena holds, at least MIN_BYTES", () => {
    const arena = new FragmentArena(16 << 20);
    const memory = new FragmentMemory(16 << 20, arena);
    const buffers = () => Array.from({ length: 16 }, () => new ArrayBuffer(1 << 20));
    memory.give(buffers());
    expect(memory.heldBytes).toBe(16 << 20);
    arena.take(10 << 20);
    memory.give(buffers());
    expect(memory.heldBytes).toBe(6 << 20);
    arena.take(6 << 20);
    memory.give(buffers());
    expect(memory.heldBytes).toBe(FragmentMemory.MIN_BYTES);
  });
});
