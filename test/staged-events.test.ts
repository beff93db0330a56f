import { describe, expect, test } from "bun:test";
import { type StagedEvent, StagedEvents, stagedEventsOf } from "../src/staging/staged-events.ts";

/** `count` events whose keys, texts and numbers vary: long and non-ASCII keys, ranks past 2^32, units and services. */
function records(count: number): StagedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    key: i % 5 === 0 ? `claude:transcript:sessión "${i}":${"x".repeat(200 + i)}` : `claude:msg_${i}`,
    rank: i % 3 === 0 ? 2 ** 40 + i : i,
    timestamp: `2026-03-${String(1 + (i % 28)).padStart(2, "0")} 10:00:${String(i % 60).padStart(2, "0")}.${String(i * 7919 % 1_000_000).padStart(6, "0")}`,
    model: `model-${i % 4}`,
    unpriced: i % 6 === 0,
    seq: 3 * 2 ** 24 + i,
    service: i % 2 === 0 ? "claude-code" : "codex_cli_rs",
    unit: i % 7 === 0 ? "s" : "",
    logs: i % 3,
    metrics: i % 9,
  }));
}

describe("StagedEvents", () => {
  test("holds every field of every event, keys longer than the room first made for them included", () => {
    const events = records(300);
    const staged = stagedEventsOf(events);
    expect(staged.count).toBe(300);
    expect(staged.records()).toEqual(events);
    expect(staged.texts.length).toBe(4 + 2 + 2); // each model, service and unit once
  });

  test("each key comes with Bun's four hashes of its UTF-8, a lone surrogate's as U+FFFD", () => {
    const staged = stagedEventsOf([...records(2), { ...(records(1)[0] as StagedEvent), key: "k\ud800" }]);
    const hashes = (key: string) => [Bun.hash.crc32(key), Bun.hash.cityHash32(key), Bun.hash.murmur32v3(key), Bun.hash.murmur32v2(key)].map((h) => Number(h) | 0);
    for (let e = 0; e < 2; e++) expect([0, 1, 2, 3].map((h) => staged.hash(e, h))).toEqual(hashes(staged.key(e)));
    expect(staged.key(2)).toBe("k\ufffd");
    expect([0, 1, 2, 3].map((h) => staged.hash(2, h))).toEqual(hashes("k\ufffd"));
  });

  test("crosses threads by transferring its buffers (a structured clone, as postMessage makes), and is whole again after revive", () => {
    const events = records(50);
    const staged = stagedEventsOf(events);
    const clone = structuredClone(staged, { transfer: staged.buffers() });
    expect(staged.numbers.length).toBe(0); // moved, not copied
    expect(clone).not.toBeInstanceOf(StagedEvents);
    expect(StagedEvents.revive(clone).records()).toEqual(events);
  });

  test("a file without events", () => {
    const staged = stagedEventsOf([]);
    expect(staged.count).toBe(0);
    expect(StagedEvents.revive(structuredClone(staged, { transfer: staged.buffers() })).records()).toEqual([]);
  });
});
