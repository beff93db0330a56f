import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync } from "hyparquet";
import { ColumnBuilder, type ColumnSpec } from "../src/parquet/column-builder.ts";
import { AttributeJsonWriter, encodeAttributes } from "../src/sources/shared/attributes.ts";
import { logRow, metricRow, WARN } from "../src/sources/shared/rows.ts";
import type { UsageEvent } from "../src/sources/types.ts";
import { parsedFile } from "./helpers/parsed-file.ts";
import { SEQ_PER_FILE, stageFile } from "../src/staging/staged-file.ts";
import { exportRowGroup, STAGED_ROW_GROUP, writeStagedTable } from "../src/staging/staged-parquet.ts";
import { StagedRows } from "../src/staging/staged-rows.ts";
import { query } from "./helpers/duckdb-read.ts";
import { tempDir } from "./helpers/temp.ts";
import { chosenRowsOf, rowTotals } from "../src/staging/chosen-events.ts";

/** Event `i` of file `f`: one log row (every other event) and 1–3 metric rows, some non-ASCII. */
function event(f: number, i: number): UsageEvent {
  const second = String((f * 7 + i) % 60).padStart(2, "0");
  const timestamp = `2026-0${1 + (f % 9)}-1${i % 10} 12:34:${second}.${String(i * 1013).padStart(6, "0")}`;
  const key = `test:${f}:${i}`;
  const attributes = { model: i % 3 ? "m-é" : "m", "session.id": `s${f}` };
  const service = f === 2 ? "other-svc" : "svc"; // two services: the writer's service column is then per row
  const logs = i % 2 === 0 ? [logRow(service, timestamp, i % 4 ? "api_request" : "überall", attributes, i % 3 ? undefined : WARN)] : [];
  const metrics = Array.from({ length: 1 + (i % 3) }, (_, m) => metricRow(service, timestamp, `metric.${m}`, i * 10 + m + 0.25, { ...attributes, type: `t${m}` }));
  return { key, rank: 1, timestamp, logs, metrics, model: "m", unpriced: false };
}

describe("staged column fragments", () => {
  test("attribute JSON row after row (repeats, shared first pairs, other key sets, resets, two columns) equals each row encoded alone", () => {
    const spec: ColumnSpec = { name: "a", kind: "JSON" };
    const base = { model: "m", "session.id": "s" };
    const input = { ...base, type: "input" };
    const rows: [Record<string, string>, string][] = [
      [input, "k1"],
      [input, "k1"], // a twin: repeated
      [{ ...base, type: "output" }, "k1"], // all but the last pair shared
      [base, "k1"], // other keys
      [{ ...base, type: "out<put" }, "k1"], // shared pairs, then an escaped value
      [{ ...base, type: "out<put" }, "k2"], // the extra key sorts first: nothing shared
      [input, "k2"],
      [{}, "k2"],
      [{ cwd: "/ü", model: "m" }, "k2"],
      [{ cwd: "/ü", model: "n" }, "k2"],
    ];
    const writer = new AttributeJsonWriter();
    const one = new ColumnBuilder(spec, 8);
    const two = new ColumnBuilder(spec, 8);
    const expected = new ColumnBuilder(spec);
    rows.forEach(([attributes, key], i) => {
      writer.push(one, attributes, "import.key", key);
      expected.pushText(encodeAttributes(attributes, "import.key", key));
      if (i % 3 === 2) writer.push(two, attributes, "import.key", key); // the other column in between
    });
    expect(one.values().toString("latin1")).toBe(expected.values().toString("latin1"));
    one.reset();
    writer.push(one, input, "import.key", "k2"); // after a reset nothing is taken from before
    const fresh = new ColumnBuilder(spec);
    fresh.pushText(encodeAttributes(input, "import.key", "k2"));
    expect(one.values()).toEqual(fresh.values());
    expect(two.rows).toBe(3);
  });

  test("attribute JSON staged front-coded and expanded gives the PLAIN values, from any event's first row on", () => {
    const spec: ColumnSpec = { name: "a", kind: "JSON" };
    const base = { model: "m", "session.id": "s-é" };
    const long = { ...base, cwd: "/x".repeat(40) }; // an own part past the byte loop
    // Events as their rows' attributes, with the event key: twins, token types sharing all but the last pair, other key sets.
    const events: [Record<string, string>[], string][] = [
      [[{ ...base, type: "input" }, { ...base, type: "input" }, { ...base, type: "output" }, { ...base, type: "output" }, base, base], "k1"],
      [[{ ...base, type: "input" }, long, { ...long, type: "output<" }], "k1"], // the same key as the event before: nothing shared across
      [[{}], "k2"],
      [[{ ...base, type: "input" }, { ...base, type: "input" }], "k3"],
    ];
    const writer = new AttributeJsonWriter();
    const coded = new ColumnBuilder(spec, 8, true);
    const plain = new ColumnBuilder(spec);
    const starts = [0];
    const plainStarts = [0];
    for (const [rows, key] of events) {
      coded.breakSharing();
      for (const attributes of rows) {
        writer.push(coded, attributes, "import.key", key);
        plain.pushText(encodeAttributes(attributes, "import.key", key));
      }
      starts.push(coded.bytes);
      plainStarts.push(coded.plainBytes);
    }
    expect(coded.plainBytes).toBe(plain.bytes);
    expect(coded.bytes).toBeLessThan(plain.bytes * 0.8);
    const staged = coded.values();
    const whole = new ColumnBuilder(spec, 8); // tiny: it grows
    whole.appendFrontCoded(staged, 0, staged.length, coded.rows);
    expect(whole.values()).toEqual(plain.values());
    expect([whole.rows, whole.runs]).toEqual([plain.rows, plain.runs]);
    // From the second event on, in two runs, after a value that shares nothing with them.
    const rowsBefore = events[0]?.[0].length ?? 0;
    const part = new ColumnBuilder(spec);
    part.pushText("{}");
    part.appendFrontCoded(staged, starts[1] as number, starts[3] as number, (events[1]?.[0].length ?? 0) + 1);
    part.appendFrontCoded(staged, starts[3] as number, staged.length, events[3]?.[0].length ?? 0);
    const expected = new ColumnBuilder(spec);
    expected.pushText("{}");
    let at = 0;
    for (let row = 0; row < plain.rows; row++) {
      const length = plain.values().readUInt32LE(at);
      if (row >= rowsBefore) expected.pushBytes(plain.values(), at + 4, at + 4 + length);
      at += 4 + length;
    }
    expect(part.values()).toEqual(expected.values());
    expect(plainStarts.at(-1)).toBe(plain.bytes);
    // A value that shares more than the one before holds is refused, as is whole text into a front-coded column.
    const second = 4 + staged.readUInt32LE(0); // the first event's second row: a twin, all of it shared
    expect(() => new ColumnBuilder(spec).appendFrontCoded(staged, second, starts[1] as number, 5)).toThrow(/shares more than the value before/);
    expect(() => coded.pushText("x")).toThrow(/no whole text values/);
  });

  test("text in parts, quoted ASCII and a repeated value give the bytes pushText gives", () => {
    const spec: ColumnSpec = { name: "a", kind: "JSON" };
    const long = "x".repeat(100); // past the byte loop: written by Buffer#write
    const parts = new ColumnBuilder(spec, 8); // tiny: every part makes it grow
    const whole = new ColumnBuilder(spec, 8);
    parts.beginText();
    parts.appendBytes(Buffer.from('{"k":'));
    parts.appendQuotedAscii("v 1");
    parts.appendBytes(Buffer.from(',"ü":'));
    parts.appendQuotedAscii(long);
    parts.appendBytes(Buffer.from("}"));
    parts.endText();
    parts.pushRepeated();
    parts.pushText("é");
    parts.pushRepeated();
    const json = `{"k":"v 1","ü":"${long}"}`;
    for (const value of [json, json, "é", "é"]) whole.pushText(value);
    expect(parts.values()).toEqual(whole.values());
    expect([parts.rows, parts.runs]).toEqual([4, [1, 4]]);
    parts.reset();
    expect(() => parts.pushRepeated()).toThrow(/no text value to repeat/);
    parts.pushNull();
    expect(() => parts.pushRepeated()).toThrow(/no text value to repeat/);
  });

  test("appendPlain gives the same page and min/max as pushing each value", () => {
    const specs: ColumnSpec[] = [
      { name: "ts", kind: "TIMESTAMP" },
      { name: "v", kind: "DOUBLE" },
      { name: "n", kind: "INTEGER" },
      { name: "t", kind: "VARCHAR" },
    ];
    for (const spec of specs) {
      const values = [5, -3, 2 ** 40 + 7, 0, -(2 ** 35), 12].map((value) => (spec.kind === "INTEGER" ? value % 100_000 : value));
      const direct = new ColumnBuilder(spec);
      const source = new ColumnBuilder(spec);
      for (const value of values) {
        if (spec.kind === "VARCHAR") {
          direct.pushText(`wert ${value} ✓`);
          source.pushText(`wert ${value} ✓`);
        } else {
          direct.pushNumber(value);
          source.pushNumber(value);
        }
      }
      const bytes = source.values();
      // A small buffer (from Buffer's shared pool, maybe not 8-byte aligned: min/max read value by value) and a large one (typed views).
      for (const capacity of [24, 1 << 14]) {
        const appended = new ColumnBuilder(spec, capacity);
        // In two pieces, at a value boundary.
        const cut = spec.kind === "VARCHAR" ? 4 + bytes.readUInt32LE(0) : spec.kind === "INTEGER" ? 8 : 16;
        appended.appendPlain(bytes, 0, cut, spec.kind === "INTEGER" ? 2 : spec.kind === "VARCHAR" ? 1 : 2);
        appended.appendPlain(bytes, cut, bytes.length, values.length - (spec.kind === "VARCHAR" ? 1 : 2));
        expect(appended.values()).toEqual(direct.values());
        expect([appended.rows, appended.nulls, appended.runs]).toEqual([direct.rows, direct.nulls, direct.runs]);
        expect([appended.min, appended.max]).toEqual([direct.min, direct.max]);
      }
    }
  });

  test.each([
    ["held in memory", 64 << 20],
    ["written to the scratch folder", 0],
  ])("the selected events' rows, in order, across files and row groups (%s)", async (_, budget) => {
    const dir = tempDir("staged-columns");
    const rows = new StagedRows(budget);
    try {
      const files = [parsedFile(0, 9, event), parsedFile(1, 0, event), parsedFile(2, 14, event), parsedFile(3, 5, event)];
      const staged = files.map((file, ordinal) => stageFile(file, ordinal));
      for (const file of staged) rows.add(file);
      rows.close();
      if (budget === 0) expect(rows.spilledBytes).toBe(staged.reduce((sum, file) => sum + file.logBytes.length + file.metricBytes.length, 0));
      else expect(rows.spilledBytes).toBe(0);
      // Every third event is left out, and all of file 3.
      const chosen = staged.flatMap((file) => file.events.records().filter((event, i) => i % 3 !== 1 && event.seq < 3 * SEQ_PER_FILE));
      const selected = new Set(chosen.map((event) => event.seq));
      const kept = files.flatMap((file, f) => file.events.filter((_, i) => selected.has(f * SEQ_PER_FILE + i)));
      const limits = { rows: 7, bytes: 1 << 20 };

      const metricsPath = join(dir, "metrics.parquet");
      const metricCount = await writeStagedTable("otel_metrics", rows, chosenRowsOf(chosen), metricsPath, limits);
      const expectedMetrics = kept.flatMap((event) => event.metrics);
      expect(metricCount).toBe(expectedMetrics.length);
      const metrics = await query(`SELECT strftime(Timestamp, '%Y-%m-%d %H:%M:%S.%f') AS ts, ServiceName, MetricName, Value, Attributes::VARCHAR AS a, MetricType FROM read_parquet($file)`, { file: metricsPath });
      // Attributes in Go's key order, with the event's import.key.
      const keyOf = (row: (typeof expectedMetrics)[number]) => kept.find((event) => event.metrics.includes(row))?.key;
      expect(metrics).toEqual(
        expectedMetrics.map((row) => ({
          ts: row.timestamp,
          ServiceName: row.serviceName,
          MetricName: row.metricName,
          Value: row.value,
          a: JSON.stringify({ "import.key": keyOf(row), model: row.attributes["model"], "session.id": row.attributes["session.id"], type: row.attributes["type"] }),
          MetricType: "sum",
        })),
      );
      // Row groups end at an event once they reach 7 rows; an event has at most 3.
      const groups = (await parquetMetadataAsync(await asyncBufferFromFile(metricsPath))).row_groups.map((group) => Number(group.num_rows));
      expect(groups.length).toBeGreaterThan(2);
      expect(groups.reduce((sum, count) => sum + count, 0)).toBe(expectedMetrics.length);
      for (const count of groups) expect(count).toBeLessThanOrEqual(7 + 2);
      const bounds = await query(`SELECT min(Value) AS lo, max(Value) AS hi FROM read_parquet($file)`, { file: metricsPath });
      expect(bounds[0]).toEqual({ lo: Math.min(...expectedMetrics.map((row) => row.value)), hi: Math.max(...expectedMetrics.map((row) => row.value)) });

      const logsPath = join(dir, "logs.parquet");
      const expectedLogs = kept.flatMap((event) => event.logs);
      expect(await writeStagedTable("otel_logs", rows, chosenRowsOf(chosen), logsPath, limits)).toBe(expectedLogs.length);
      const logs = await query(`SELECT Body, SeverityText, SeverityNumber, json_extract_string(LogAttributes, '$.model') AS model FROM read_parquet($file)`, { file: logsPath });
      expect(logs).toEqual(expectedLogs.map((row) => ({ Body: row.body, SeverityText: row.severityText, SeverityNumber: row.severityNumber, model: row.attributes["model"] })));

      // One service chosen: its column is a constant.
      const first = staged[0]?.events.records() ?? [];
      const onePath = join(dir, "one.parquet");
      expect(await writeStagedTable("otel_metrics", rows, chosenRowsOf(first), onePath)).toBe(files[0]?.events.flatMap((event) => event.metrics).length ?? -1);
      expect(await query(`SELECT DISTINCT ServiceName FROM read_parquet($file)`, { file: onePath })).toEqual([{ ServiceName: "svc" }]);
      expect(new Set(expectedMetrics.map((row) => row.serviceName)).size).toBe(2);

      // Nothing selected: a valid file without rows.
      const none = join(dir, "none.parquet");
      expect(await writeStagedTable("otel_logs", rows, chosenRowsOf([]), none)).toBe(0);
      expect(await query(`SELECT count(*)::INTEGER AS n FROM read_parquet($file)`, { file: none })).toEqual([{ n: 0 }]);
    } finally {
      rows.dispose();
    }
  });

  test("an export's metric rows past one row group's count fill 12 MB of a column, for about DuckDB's row groups", async () => {
    // 126,000 metric rows of ~260 bytes of attributes (~33 MB): 8 row groups at 4 MB, 3 at 12 MB.
    const cwd = `/home/someone/projects/${"a-long-project-name/".repeat(6)}`;
    const manyMetrics = (f: number, i: number): UsageEvent => {
      const timestamp = `2026-06-1${f} 12:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.000000`;
      const attributes = { cwd, model: "claude-sonnet-4-5", "session.id": `session-${f}-${Math.floor(i / 100)}` };
      const metrics = ["input", "output", "cacheRead"].map((type, m) => metricRow("svc", timestamp, "claude_code.token.usage", i * 3 + m, { ...attributes, type }));
      return { key: `test:${f}:${i}`, rank: 1, timestamp, logs: [], metrics, model: "m", unpriced: false };
    };
    const dir = tempDir("staged-row-groups");
    const rows = new StagedRows(64 << 20);
    try {
      const staged = [0, 1, 2].map((f) => stageFile(parsedFile(f, 14_000, manyMetrics), f));
      for (const file of staged) rows.add(file);
      rows.close();
      const chosen = chosenRowsOf(staged.flatMap((file) => file.events.records()));
      expect(rowTotals(chosen).metrics).toBe(126_000);
      const limits = exportRowGroup("otel_metrics", rowTotals(chosen));
      expect(limits).toEqual({ rows: STAGED_ROW_GROUP.rows, bytes: 12 << 20 });
      expect(exportRowGroup("otel_logs", { metrics: 126_000 })).toBe(STAGED_ROW_GROUP);
      expect(exportRowGroup("otel_metrics", { metrics: STAGED_ROW_GROUP.rows })).toBe(STAGED_ROW_GROUP);
      const groupsOf = async (path: string) => (await parquetMetadataAsync(await asyncBufferFromFile(path))).row_groups.map((group) => Number(group.num_rows));
      const written: Record<string, number[]> = {};
      for (const [name, chosenLimits] of [["export", limits], ["4 MB", STAGED_ROW_GROUP]] as const) {
        const path = join(dir, `${name}.parquet`);
        expect(await writeStagedTable("otel_metrics", rows, chosen, path, chosenLimits)).toBe(126_000);
        written[name] = await groupsOf(path);
        expect(await query(`SELECT count(*)::INTEGER AS n, sum(Value)::DOUBLE AS s, count(DISTINCT Attributes)::INTEGER AS a FROM read_parquet($file)`, { file: path })).toEqual([
          { n: 126_000, s: (3 * 14_000 * (3 * 14_000 - 1)) / 2 * 3, a: 126_000 }, // each event's import.key
        ]);
      }
      expect(written["export"]?.length).toBe(3);
      expect(written["4 MB"]?.length).toBeGreaterThanOrEqual(8);
    } finally {
      rows.dispose();
    }
  });
});
