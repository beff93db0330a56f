import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync } from "hyparquet";
import { logRow, metricRow } from "../src/sources/shared/rows.ts";
import type { UsageEvent } from "../src/sources/types.ts";
import { parsedFile } from "./helpers/parsed-file.ts";
import { chosenRowsOf } from "../src/staging/chosen-events.ts";
import { stageFile } from "../src/staging/staged-file.ts";
import { writeStagedTable } from "../src/staging/staged-parquet.ts";
import { StagedRows } from "../src/staging/staged-rows.ts";
import { TableWorkers, tableWorkerCount } from "../src/staging/table-workers.ts";
import { query } from "./helpers/duckdb-read.ts";
import { tempDir } from "./helpers/temp.ts";

/** Event `i` of file `f`: a log row (two in three events, some with empty trace ids) and 1–4 metric rows, some with a unit. */
function event(f: number, i: number): UsageEvent {
  const timestamp = `2026-0${1 + (f % 9)}-1${i % 10} 08:0${i % 10}:${String((f * 13 + i) % 60).padStart(2, "0")}.000000`;
  const attributes = { model: i % 4 ? "m-ü" : "m", "session.id": `s${f}-${i % 5}`, text: "x".repeat((i * 37) % 200) };
  const service = f % 2 === 1 ? "other-svc" : "svc"; // two services: a column per row
  const unit = i % 5 === 0 ? "s" : undefined; // some units: a column per row
  const logs = i % 3 === 2 ? [] : [logRow(service, timestamp, i % 2 ? "api_request" : "tool_result", attributes)];
  const metrics = Array.from({ length: 1 + (i % 4) }, (_, m) => ({ ...metricRow(service, timestamp, `metric.${m}`, i + m / 4, { ...attributes, type: `t${m}` }), ...(unit ? { unit } : {}) }));
  return { key: `k:${f}:${i}`, rank: 1, timestamp, logs, metrics, model: "m", unpriced: false };
}

const workers = new TableWorkers(3);
afterAll(() => workers.close());

describe("row groups filled and encoded on table workers", () => {
  test("give the same files, byte for byte, as this thread, whether row groups end by rows or by bytes", async () => {
    expect(workers.size).toBe(3);
    const dir = tempDir("table-workers");
    const rows = new StagedRows(64 << 20); // held in memory until close(true) writes them out
    try {
      const staged = [parsedFile(0, 40, event), parsedFile(1, 0, event), parsedFile(2, 55, event), parsedFile(3, 31, event), parsedFile(4, 12, event)].map((file, ordinal) => stageFile(file, ordinal));
      for (const file of staged) rows.add(file);
      rows.close(true);
      expect(rows.stagedFile("metrics")?.places.length).toBe(4);
      // Two events in three, and none of file 4.
      const chosen = chosenRowsOf(staged.flatMap((file, f) => (f === 4 ? [] : file.events.records().filter((_, i) => i % 3 !== 1))));
      for (const limits of [
        { rows: 9, bytes: 1 << 20 },
        { rows: 100_000, bytes: 700 },
      ]) {
        for (const table of ["otel_logs", "otel_metrics"] as const) {
          const here = join(dir, `${table}-here.parquet`);
          const there = join(dir, `${table}-workers.parquet`);
          const count = await writeStagedTable(table, rows, chosen, here, limits);
          expect(await writeStagedTable(table, rows, chosen, there, limits, true, workers)).toBe(count);
          expect(readFileSync(there).equals(readFileSync(here))).toBe(true);
          const groups = (await parquetMetadataAsync(await asyncBufferFromFile(there))).row_groups;
          expect(groups.length).toBeGreaterThan(4); // several row groups out at once
          expect(await query(`SELECT count(*)::INTEGER AS n, count(DISTINCT ServiceName)::INTEGER AS services FROM read_parquet($file)`, { file: there })).toEqual([{ n: count, services: 2 }]);
        }
        const units = await query(`SELECT MetricUnit AS unit, count(*)::INTEGER AS n FROM read_parquet($file) GROUP BY ALL ORDER BY ALL`, { file: join(dir, "otel_metrics-workers.parquet") });
        expect(units.map((row) => row.unit)).toEqual(["s", null]);
      }
    } finally {
      rows.dispose();
    }
  });

  test("when a worker is gone (it could not load, or died midway), its row groups and all later ones are written here: the same file", async () => {
    const dir = tempDir("table-workers-gone");
    const real = join(import.meta.dir, "..", "src", "staging", "table-worker.ts");
    const broken = join(dir, "broken.ts");
    writeFileSync(broken, `throw new Error("this worker cannot load");\n`);
    // The real worker, which exits as its third row group arrives.
    const dying = join(dir, "dying.ts");
    writeFileSync(dying, `import ${JSON.stringify(real)};\nlet n = 0;\nself.addEventListener("message", () => { if (++n === 3) process.exit(1); });\n`);
    const rows = new StagedRows(64 << 20);
    try {
      // Row groups with a 1.5 MB attribute page, which is compressed on Bun's thread pool: one filled here after a worker
      // is gone is still being written when the next one comes back from the other worker.
      const wide = (f: number, i: number) => {
        const base = event(f, i);
        return { ...base, metrics: base.metrics.map((row) => ({ ...row, attributes: { ...row.attributes, text: `${i}`.repeat(600) } })) };
      };
      const staged = [parsedFile(0, 2000, wide), parsedFile(1, 1500, wide), parsedFile(2, 2500, wide)].map((file, ordinal) => stageFile(file, ordinal));
      for (const file of staged) rows.add(file);
      rows.close(true);
      const chosen = chosenRowsOf(staged.flatMap((file) => file.events.records()));
      const limits = { rows: 100_000, bytes: 1536 << 10 };
      const here = join(dir, "here.parquet");
      const rowCount = await writeStagedTable("otel_metrics", rows, chosen, here, limits);
      // Two workers, one of which keeps its second row group and exits 0.3 s later; the other writes the next ones
      // meanwhile, which are back first and must still be written after the lost one.
      const oneDies = join(dir, "one-dies.ts");
      const marker = join(dir, "died");
      writeFileSync(
        oneDies,
        [
          `import ${JSON.stringify(real)};`,
          `import { openSync } from "node:fs";`,
          "const encode = self.onmessage;",
          "let n = 0;",
          "self.onmessage = (event) => {",
          `  if (++n === 2) { try { openSync(${JSON.stringify(marker)}, "wx"); setTimeout(() => process.exit(1), 300); return; } catch {} }`,
          "  encode(event);",
          "};",
        ].join("\n"),
      );
      for (const [script, count] of [[broken, 1], [dying, 1], [oneDies, 2]] as const) {
        const gone = new TableWorkers(count, script);
        try {
          const there = join(dir, "there.parquet");
          expect(await writeStagedTable("otel_metrics", rows, chosen, there, limits, true, gone)).toBe(rowCount);
          expect(gone.failed).toBe(true);
          expect(readFileSync(there).equals(readFileSync(here))).toBe(true);
        } finally {
          gone.close();
        }
      }
    } finally {
      rows.dispose();
    }
  });

  test("a row group a worker cannot write fails with the reason, and the workers go on", async () => {
    const job = { layout: { table: "otel_logs" as const, constants: [], capacities: [], unit: null, service: null }, path: join(tempDir("table-workers"), "gone.staged"), fragments: [{ offset: 0, length: 64 }], runs: [{ fragment: 0, start: 0, end: 1, rows: 1 }], units: null, services: null, rows: 1, options: { threadPool: false, last: true } };
    await expect(workers.encode(job)).rejects.toThrow(/writing a row group failed: .*ENOENT/);
  });

  test("closed workers take no more row groups", async () => {
    const closed = new TableWorkers(1);
    closed.close();
    expect(closed.size).toBe(0);
    await expect(closed.encode({ layout: { table: "otel_logs", constants: [], capacities: [], unit: null, service: null }, path: "", fragments: [], runs: [], units: null, services: null, rows: 0, options: { threadPool: false, last: true } })).rejects.toThrow(/closed/);
  });
});

describe("how many table workers", () => {
  test("none on two cores or for a few row groups; one per spare core up to four; the setting applies whatever the size, within the threads", () => {
    expect(tableWorkerCount(40, null, 2)).toBe(0);
    expect(tableWorkerCount(40, null, 4)).toBe(0);
    expect(tableWorkerCount(3, null, 16)).toBe(0);
    expect(tableWorkerCount(6, null, 8)).toBe(4);
    expect(tableWorkerCount(5, null, 16)).toBe(4);
    expect(tableWorkerCount(40, 0, 16)).toBe(0);
    expect(tableWorkerCount(1, 2, 2)).toBe(1);
    expect(tableWorkerCount(9, 2, 2)).toBe(2);
    expect(tableWorkerCount(9, 4, 3)).toBe(3); // --threads 3
  });
});
