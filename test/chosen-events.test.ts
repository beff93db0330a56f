import { describe, expect, test } from "bun:test";
import { microsTest } from "../src/db/row-filter.ts";
import { EventSet } from "../src/sources/shared/merge.ts";
import { ChosenEvents } from "../src/staging/chosen-events.ts";
import { type StagedEvent, stagedEventsOf } from "../src/staging/staged-events.ts";
import { join } from "node:path";
import { KeyFile } from "../src/staging/key-file.ts";
import { tempDir } from "./helpers/temp.ts";

/** Where a test's chosen events keep their keys. */
const keyFile = () => new KeyFile(join(tempDir("keys-"), "keys"));
/** One event, staged as a parse stages its file's. */
const one = (event: StagedEvent) => stagedEventsOf([event]);

function seeded(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
}

/** Copies of 300 events: ranks and times that tie and differ, three services, units, unpriced models. */
function copies(): StagedEvent[] {
  const random = seeded(17);
  const services = ["claude-code", "codex_cli_rs", "gemini_cli"];
  const events: StagedEvent[] = [];
  for (let i = 0; i < 3000; i++) {
    const key = `k${random(300)}`;
    const day = 1 + random(28);
    const second = random(3);
    events.push({
      key,
      rank: random(4),
      timestamp: `2026-03-${String(day).padStart(2, "0")} 10:00:0${second}.${String(random(1_000_000)).padStart(6, "0")}`,
      model: `model-${random(5)}`,
      unpriced: random(7) === 0,
      seq: i,
      service: services[random(3)] as string,
      unit: random(10) === 0 ? "s" : "",
      logs: random(3),
      metrics: random(5),
    });
  }
  return events;
}

describe("ChosenEvents", () => {
  test("offerTagged says what it did (not chosen, a new key, the replaced copy's tag); test picks what select picks", () => {
    const chosen = new ChosenEvents();
    const set = new EventSet<StagedEvent>(); // the one rule, to say which copies replace
    const seen = new Map<string, number>(); // key → the tag of its chosen copy
    const index = new Map<string, number>();
    let replaced = 0;
    copies().forEach((event, n) => {
      const tag = n % 5;
      const known = seen.has(event.key);
      const kept = set.add(event);
      const result = chosen.offerTagged(one(event), 0, tag);
      expect(result).toBe(!known ? -1 : kept ? (seen.get(event.key) as number) : -2);
      if (result === -2) return;
      if (result >= 0) replaced++;
      seen.set(event.key, tag);
      if (result === -1) index.set(event.key, chosen.size - 1);
      expect(chosen.lastChosen).toBe(index.get(event.key) as number);
    });
    expect(replaced).toBeGreaterThan(100);
    chosen.retag(0, 9);
    expect(chosen.tag(0)).toBe(9);
    const inRange = microsTest({ from: "2026-03-05", to: "2026-03-20" });
    const select = chosen.select(inRange, "codex_cli_rs");
    const passes = chosen.test(inRange, "codex_cli_rs");
    const picked = Array.from({ length: chosen.size }, (_, i) => i).filter(passes);
    expect(picked.map((i) => chosen.seq(i))).toEqual(Array.from({ length: select.size }, (_, i) => select.seq(i)));
    expect(picked.length).toBeGreaterThan(0);
    expect(chosen.test(null, "no such service")(0)).toBe(false);
  });

  test("the same chosen copy of every key as EventSet (the one rule), in the same order", () => {
    const set = new EventSet<StagedEvent>();
    const chosen = new ChosenEvents(keyFile());
    let changes = 0;
    for (const event of copies()) {
      const a = set.add(event);
      expect(chosen.offer(one(event), 0)).toBe(a);
      if (a) changes++;
    }
    const expected = set.values();
    expect(chosen.size).toBe(expected.length);
    expect(changes).toBeGreaterThan(expected.length); // copies did replace others
    expected.forEach((event, i) => {
      expect([chosen.key(i), chosen.seq(i), chosen.timestamp(i), chosen.logs(i), chosen.metrics(i), chosen.service(i), chosen.unit(i)]).toEqual([
        event.key,
        event.seq,
        event.timestamp,
        event.logs,
        event.metrics,
        event.service,
        event.unit,
      ]);
    });
    const unpriced = [...new Set(expected.filter((event) => event.unpriced).map((event) => event.model))].sort();
    expect(unpriced.length).toBeGreaterThan(0);
    expect(chosen.unpricedModels()).toEqual(unpriced);
  });

  test("select: a time range and a service, as filtering the records would", () => {
    const set = new EventSet<StagedEvent>();
    const chosen = new ChosenEvents(keyFile());
    for (const event of copies()) {
      set.add(event);
      chosen.offer(one(event), 0);
    }
    // The records' text against the range's days (fixed width: text order is time order), the chosen events' microseconds by microsTest.
    const inText = (timestamp: string) => timestamp >= "2026-03-05 00:00:00.000000" && timestamp <= "2026-03-12 23:59:59.999999";
    const inMicros = microsTest({ from: "2026-03-05", to: "2026-03-12" }) as (micros: number) => boolean;
    for (const [ranged, service] of [[true, "codex_cli_rs"], [true, null], [false, "gemini_cli"], [false, "nobody"], [false, null]] as const) {
      const expected = set.values().filter((event) => (!ranged || inText(event.timestamp)) && (service === null || event.service === service));
      const selected = chosen.select(ranged ? inMicros : null, service);
      const seqs = Array.from({ length: selected.size }, (_, i) => selected.seq(i));
      expect(seqs).toEqual(expected.map((event) => event.seq));
      expect(Array.from({ length: selected.size }, (_, i) => selected.logs(i) * 10 + selected.metrics(i))).toEqual(expected.map((event) => event.logs * 10 + event.metrics));
    }
  });

  test("select: every event of the service asked for (an export of one tool's files) is every event, without a filter; a second service makes it filter", () => {
    const chosen = new ChosenEvents(keyFile());
    const event = (key: string, service: string, rank = 1): StagedEvent => ({ key, rank, timestamp: "2026-01-01 00:00:00.000000", model: "", unpriced: false, seq: chosen.size, service, unit: "", logs: 1, metrics: 2 });
    expect(chosen.select(null, "claude-code").size).toBe(0);
    for (let i = 0; i < 50; i++) chosen.offer(one(event(`k${i}`, "claude-code")), 0);
    expect(chosen.select(null, "claude-code")).toBe(chosen);
    expect(chosen.select(null, "gemini_cli").size).toBe(0);
    // A better copy of one event from another service: the filter looks at each event again.
    expect(chosen.offer(one(event("k7", "gemini_cli", 5)), 0)).toBe(true);
    const claude = chosen.select(null, "claude-code");
    expect(claude).not.toBe(chosen);
    expect(claude.size).toBe(49);
    expect(chosen.select(null, "gemini_cli").size).toBe(1);
  });

  test("keys: 150,000 of them (the table grows and rehashes, over several chunks and key blocks), prefixes of one another, non-ASCII, one of 1.5 MB; each found again", () => {
    const chosen = new ChosenEvents(keyFile());
    const keys = Array.from({ length: 150_000 }, (_, i) => (i % 3 === 0 ? `k${i}` : i % 3 === 1 ? `k${i}é中\u{1F600}` : `${"x".repeat(i % 200)}${i}`));
    keys.push("k", "k1", "k10", "k100", "", `long-${"é".repeat(750_000)}`, "after-long");
    const event = (key: string, rank: number, seq: number): StagedEvent => ({ key, rank, timestamp: "2026-01-01 00:00:00.000000", model: "", unpriced: false, seq, service: "", unit: "", logs: seq % 7, metrics: 0 });
    const distinct = [...new Set(keys)];
    expect(distinct.length).toBe(keys.length);
    const firsts = keys.map((key, i) => chosen.offer(one(event(key, 1, i)), 0));
    expect(firsts.every((first) => first)).toBe(true);
    expect(chosen.size).toBe(distinct.length);
    distinct.forEach((key, i) => expect([chosen.key(i), chosen.seq(i), chosen.logs(i)]).toEqual([key, i, i % 7]));
    // Read back out of order too (the keys are on disk, read a window at a time).
    for (let i = distinct.length - 1; i >= 0; i -= 997) expect(chosen.key(i)).toBe(distinct[i] as string);
    // Offered again with a higher rank: the same rows, replaced.
    distinct.forEach((key, i) => expect(chosen.offer(one(event(key, 2, i + 1)), 0)).toBe(true));
    for (const key of distinct) expect(chosen.offer(one(event(key, 2, 0)), 0)).toBe(false);
    expect(chosen.size).toBe(distinct.length);
    distinct.forEach((key, i) => expect([chosen.key(i), chosen.seq(i), chosen.rank(i)]).toEqual([key, i + 1, 2]));
  });

  test("without a key file the keys are not kept: the chosen copies are the same, key and writeKey throw", () => {
    const kept = new ChosenEvents(keyFile());
    const notKept = new ChosenEvents();
    for (const event of copies()) expect(notKept.offer(one(event), 0)).toBe(kept.offer(one(event), 0));
    expect(notKept.size).toBe(kept.size);
    for (let i = 0; i < kept.size; i++) expect([notKept.seq(i), notKept.rank(i)]).toEqual([kept.seq(i), kept.rank(i)]);
    expect(() => notKept.key(0)).toThrow("the chosen events' keys are not kept");
    expect(() => notKept.writeKey(0, { pushBytes: () => undefined })).toThrow("the chosen events' keys are not kept");
  });

  test("a key file that cannot be written: one clear error naming the temporary folder, no stack of ours", () => {
    const chosen = new ChosenEvents(new KeyFile(join(tempDir("keys-"), "missing-folder", "keys")));
    const event = (i: number): StagedEvent => ({ key: `k${i}-${"x".repeat(100)}`, rank: 0, timestamp: "2026-01-01 00:00:00.000000", model: "", unpriced: false, seq: i, service: "", unit: "", logs: 0, metrics: 0 });
    // The first MB of keys stays in memory; the next key writes it out.
    expect(() => {
      for (let i = 0; i < 20_000; i++) chosen.offer(one(event(i)), 0);
    }).toThrow(/^cannot write the session rows to the temporary folder .*: .*nothing was written/);
  });

  test("releaseKeys: the rows' numbers stay, the keys go (offer, key and writeKey throw)", () => {
    const chosen = new ChosenEvents(keyFile());
    for (let i = 0; i < 70_000; i++) {
      chosen.offer(one({ key: `k${i % 50_000}`, rank: i, timestamp: "2026-01-01 00:00:00.000000", model: "m", unpriced: false, seq: i, service: "s", unit: "", logs: 1, metrics: 2 }), 0);
    }
    chosen.releaseKeys();
    expect(chosen.size).toBe(50_000);
    expect([chosen.seq(0), chosen.seq(19_999), chosen.seq(20_000), chosen.rank(49_999)]).toEqual([50_000, 69_999, 20_000, 49_999]);
    const event = { key: "k1", rank: 1, timestamp: "2026-01-01 00:00:00.000000", model: "", unpriced: false, seq: 0, service: "", unit: "", logs: 0, metrics: 0 };
    expect(() => chosen.offer(one(event), 0)).toThrow("the chosen events' keys were released");
    expect(() => chosen.key(0)).toThrow("the chosen events' keys were released");
    expect(() => chosen.writeKey(0, { pushBytes: () => undefined })).toThrow("the chosen events' keys were released");
  });

  test("keys are their UTF-8: two strings that only differ in lone surrogates (both U+FFFD there) are one key, every time", () => {
    const chosen = new ChosenEvents(keyFile());
    const event = (key: string): StagedEvent => ({ key, rank: 1, timestamp: "2026-01-01 00:00:00.000000", model: "", unpriced: false, seq: 0, service: "", unit: "", logs: 0, metrics: 0 });
    for (let i = 0; i < 5000; i++) chosen.offer(one(event(`filler-${i}`)), 0);
    expect(chosen.offer(one(event("k\ud800")), 0)).toBe(true);
    expect(chosen.offer(one(event("k\udbff")), 0)).toBe(false);
    expect(chosen.offer(one(event("k\ufffd")), 0)).toBe(false);
    expect(chosen.size).toBe(5001);
  });
});
