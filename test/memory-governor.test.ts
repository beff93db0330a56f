import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MemoryGovernor } from "../src/sources/memory-governor.ts";

const MB = 1 << 20;

describe("MemoryGovernor: the parse's heap is collected only when the process has grown", () => {
  test("checks every 32 MB parsed; collects past 256 MB and 96 MB above what the last collection left", () => {
    let rss = 200 * MB;
    let collections = 0;
    const governor = new MemoryGovernor(
      () => rss,
      () => {
        collections++;
        rss -= 100 * MB; // what a collection gives back
      },
      () => 10 * MB, // this thread's heap does not grow
    );
    expect(governor.afterWork(31 * MB)).toBe(false); // not yet 32 MB parsed
    expect(governor.afterWork(1 * MB)).toBe(false); // checked: under the 256 MB floor
    rss = 300 * MB;
    expect(governor.afterWork(10 * MB)).toBe(false); // counting again from the last check
    expect(governor.afterWork(22 * MB)).toBe(true); // 32 MB since, 300 MB: collected, 200 MB left
    expect(collections).toBe(1);
    rss = 290 * MB;
    expect(governor.afterWork(32 * MB)).toBe(false); // only 90 MB above what the collection left
    rss = 297 * MB;
    expect(governor.afterWork(32 * MB)).toBe(true);
    expect(collections).toBe(2);
  });

  test("collects after any file once this thread's heap grew by 32 MB since the last collection, past 256 MB of RSS", () => {
    let rss = 300 * MB;
    let heap = 20 * MB;
    let collections = 0;
    const governor = new MemoryGovernor(
      () => rss,
      () => {
        collections++;
        heap = 25 * MB; // what stays live
      },
      () => heap,
    );
    heap = 51 * MB;
    expect(governor.afterWork(1 * MB)).toBe(false); // 31 MB more: not yet
    heap = 52 * MB;
    expect(governor.afterWork(1 * MB)).toBe(true); // 32 MB more, between the checks by input
    expect(collections).toBe(1);
    heap = 56 * MB;
    expect(governor.afterWork(1 * MB)).toBe(false); // 31 MB above the 25 MB the collection left
    heap = 90 * MB;
    rss = 250 * MB;
    expect(governor.afterWork(1 * MB)).toBe(false); // the process is still small
    expect(collections).toBe(1);
  });

  test("a small process never has its heap measured (a walk over the heap), only its RSS", () => {
    let rss = 200 * MB;
    let heapReads = 0;
    const governor = new MemoryGovernor(
      () => rss,
      () => undefined,
      () => {
        heapReads++;
        return 10 * MB;
      },
    );
    heapReads = 0; // the constructor's
    for (let i = 0; i < 100; i++) expect(governor.afterWork(1 * MB)).toBe(false);
    expect(heapReads).toBe(0);
    rss = 300 * MB;
    governor.afterWork(1 * MB);
    expect(heapReads).toBe(1);
  });

  test("looks at the process once per MB of work: a run of rows written is often a few KB", () => {
    let reads = 0;
    const governor = new MemoryGovernor(
      () => {
        reads++;
        return 300 * MB;
      },
      () => undefined,
      () => 10 * MB,
    );
    for (let i = 0; i < 1023; i++) expect(governor.afterWork(1024)).toBe(false);
    expect(reads).toBe(0);
    governor.afterWork(1024); // the 1,024th KB
    expect(reads).toBe(1);
    governor.afterWork(2 * MB);
    expect(reads).toBe(2);
  });

  test("before new work: collects only past 256 MB, and counts from what that collection left", () => {
    let rss = 250 * MB;
    let heap = 200 * MB;
    let collections = 0;
    const governor = new MemoryGovernor(
      () => rss,
      () => {
        collections++;
        rss -= 150 * MB;
        heap = 40 * MB;
      },
      () => heap,
    );
    expect(governor.collectIfLarge()).toBe(false); // a small process pays nothing
    rss = 450 * MB;
    expect(governor.collectIfLarge()).toBe(true);
    expect(collections).toBe(1);
    heap = 71 * MB;
    rss = 395 * MB;
    expect(governor.afterWork(1 * MB)).toBe(false); // 31 MB above the heap the collection left
    expect(collections).toBe(1);
  });

  test("a real collection on this thread gives back a large garbage heap", () => {
    // In a process of its own: in this one, other test files' work still in flight allocates while it measures.
    const script = `
      import { MemoryGovernor } from ${JSON.stringify(join(import.meta.dir, "..", "src", "sources", "memory-governor.ts"))};
      const governor = new MemoryGovernor(() => MemoryGovernor.RSS_FLOOR); // always past the floor, as in a large run
      const heap = () => process.memoryUsage().heapUsed;
      // Made in a function of its own, so that no stale pointer on this frame keeps the rows alive.
      function fill(holder, count) { holder.rows = Array.from({ length: count }, (_, i) => ({ i, text: "row " + i + "x".repeat(i % 16) })); }
      Bun.gc(true);
      const base = heap();
      const holder = { rows: null };
      fill(holder, 200_000);
      Bun.gc(true);
      const withRows = heap();
      holder.rows = null;
      const collected = governor.afterWork(MemoryGovernor.CHECK_EVERY_BYTES);
      console.log(JSON.stringify({ base, withRows, after: heap(), collected }));`;
    const run = Bun.spawnSync([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
    expect(run.stderr.toString()).toBe("");
    const { base, withRows, after, collected } = JSON.parse(run.stdout.toString()) as Record<string, number | boolean>;
    expect(collected).toBe(true);
    expect((withRows as number) - (base as number)).toBeGreaterThan(8 * MB);
    expect(after as number).toBeLessThan((withRows as number) - ((withRows as number) - (base as number)) / 2);
  });
});

