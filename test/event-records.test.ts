import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { EVENT_RECORD_COLUMNS, writeEventRecords } from "../src/import/event-records.ts";
import { PlannedEvents } from "../src/import/planned-events.ts";
import { ChosenEvents } from "../src/staging/chosen-events.ts";
import { query } from "./helpers/duckdb-read.ts";
import { tempDir } from "./helpers/temp.ts";
import { KeyFile } from "../src/staging/key-file.ts";
import { type StagedEvent, stagedEventsOf } from "../src/staging/staged-events.ts";

/** Where a test's chosen events keep their keys. */
const keyFile = () => new KeyFile(join(tempDir("keys-"), "keys"));
/** One event, staged as a parse stages its file's. */
const one = (event: StagedEvent) => stagedEventsOf([event]);

/** `count` events of one tool, every one planned; keys with non-ASCII and quotes, ranks, times and files that vary. */
function planned(prefix: string, count: number, files: readonly string[]): PlannedEvents {
  const chosen = new ChosenEvents(keyFile());
  for (let i = 0; i < count; i++) {
    const second = String(i % 60).padStart(2, "0");
    chosen.offer(one({
        key: `${prefix}:sessión "${i % 7}":${i}`,
        rank: i % 5,
        timestamp: `2026-03-${String(1 + (i % 28)).padStart(2, "0")} 10:${String(i % 60).padStart(2, "0")}:${second}.${String(i % 1_000_000).padStart(6, "0")}`,
        model: "m",
        unpriced: i % 11 === 0,
        seq: i,
        service: "s",
        unit: "",
        logs: 1,
        metrics: 1,
      }), 0,
      i % files.length,
    );
  }
  const events = new PlannedEvents(chosen, files);
  for (let row = 0; row < chosen.size; row++) events.add(row, "new", null);
  return events;
}

describe("writeEventRecords", () => {
  test("every planned event's bookkeeping row, over several row groups and two tools, as DuckDB reads it back", async () => {
    const files = ["/a/one.jsonl", "/b/twö.json", "/c/three.jsonl"];
    const plans = [
      { tool: "gemini" as const, events: planned("g", 130_000, files) },
      { tool: "codex" as const, events: planned("c", 1_000, files) },
    ];
    const path = join(tempDir("event-records-"), "events.parquet");
    expect(await writeEventRecords(plans, path)).toBe(131_000);
    const types = await query("SELECT column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM read_parquet($path))", { path });
    expect(types).toEqual(EVENT_RECORD_COLUMNS.map(({ name, kind }) => ({ name, type: kind })));
    const read = await query(
      "SELECT tool, event_key, rank, strftime(ts, '%Y-%m-%d %H:%M:%S.%f') AS ts, file_path, unpriced FROM read_parquet($path, file_row_number = true) ORDER BY file_row_number",
      { path },
    );
    const expected = plans.flatMap(({ tool, events }) =>
      Array.from({ length: events.size }, (_, i) => ({ tool, event_key: events.key(i), rank: events.rank(i), ts: events.timestamp(i), file_path: events.filePath(i), unpriced: events.unpriced(i) })),
    );
    expect(read.length).toBe(131_000);
    expect(read).toEqual(expected);
  });
});

describe("PlannedEvents.release", () => {
  test("keeps the size, the counts by reason and the replaced events; the chosen events' accessors then throw", () => {
    const chosen = new ChosenEvents(keyFile());
    const stored = { key: "k2", rank: 1, timestamp: "2026-03-01 10:00:00.000000", unpriced: false };
    for (let i = 0; i < 5; i++) {
      chosen.offer(one({ key: `k${i}`, rank: 2, timestamp: "2026-03-01 10:00:00.000001", model: "m", unpriced: false, seq: i, service: "s", unit: "", logs: 1, metrics: 2 }), 0, 0);
    }
    const plan = new PlannedEvents(chosen, ["/a.jsonl"]);
    plan.add(0, "new", null);
    plan.add(2, "update", stored);
    plan.add(4, "new", null);
    const replaced = plan.replaced();
    expect(replaced).toEqual([{ key: "k2", stored }]);
    plan.releaseKeys();
    expect(() => plan.key(0)).toThrow("the chosen events' keys were released");
    expect([plan.seq(2), plan.replaced()]).toEqual([4, replaced]);
    plan.release();
    expect(plan.size).toBe(3);
    expect([plan.count("new"), plan.count("update"), plan.count("forced")]).toEqual([2, 1, 0]);
    expect(plan.replaced()).toEqual(replaced);
    expect(() => plan.key(0)).toThrow("the planned events were released");
    expect(() => plan.seq(0)).toThrow("the planned events were released");
  });
});
