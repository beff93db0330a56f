import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { tableColumns } from "../src/db/table-columns.ts";
import type { ColumnSpec } from "../src/parquet/column-builder.ts";
import { ParquetWriter } from "../src/parquet/parquet-writer.ts";
import { bytesHash, textChunk } from "../src/parquet/text-chunk.ts";
import { parquetColumns, parquetCompressions, query } from "./helpers/duckdb-read.ts";
import { runCli } from "./helpers/run-cli.ts";
import { sampleTree } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

setDefaultTimeout(120_000);

const ALL_KINDS: ColumnSpec[] = [
  { name: "ts", kind: "TIMESTAMP" },
  { name: "text", kind: "VARCHAR" },
  { name: "json", kind: "JSON" },
  { name: "int", kind: "INTEGER" },
  { name: "uint", kind: "UINTEGER" },
  { name: "big", kind: "BIGINT" },
  { name: "ubig", kind: "UBIGINT" },
  { name: "dbl", kind: "DOUBLE" },
  { name: "flag", kind: "BOOLEAN" },
  { name: "Events.Name", kind: "JSON" },
];

/** Row `i` of the test table: every kind, with NULLs in a pattern, unicode, negatives and values past 2^32. */
function expectedRow(i: number) {
  return {
    ts: Date.UTC(1969, 11, 31, 23, 59, 59) * 1000 + i * 1_000_001, // crosses the epoch
    text: i % 5 === 0 ? null : `zeile ${i} — ✓ ${"é".repeat(i % 4)}`,
    json: i % 2 ? `{"k":${i}}` : "[]",
    int: i === 0 ? 0 : -i * 1000,
    uint: 4_000_000_000 + i,
    big: -(2 ** 40) - i,
    ubig: 2 ** 50 + i,
    dbl: i / 7,
    flag: i % 3 === 0 ? null : i % 2 === 0,
    "Events.Name": null,
  };
}

async function writeTestFile(path: string, rows: number, limits?: { rows: number; bytes: number }): Promise<number> {
  const writer = new ParquetWriter(path, ALL_KINDS, [], limits);
  for (let i = 0; i < rows; i++) {
    const row = expectedRow(i);
    const [ts, text, json, int, uint, big, ubig, dbl, flag, nothing] = writer.row;
    ts?.pushNumber(row.ts);
    if (row.text === null) text?.pushNull();
    else text?.pushString(row.text);
    json?.pushString(row.json);
    int?.pushNumber(row.int);
    uint?.pushNumber(row.uint);
    big?.pushNumber(row.big);
    ubig?.pushNumber(row.ubig);
    dbl?.pushNumber(row.dbl);
    if (row.flag === null) flag?.pushNull();
    else flag?.pushBoolean(row.flag);
    nothing?.pushNull();
    await writer.endRow();
  }
  return writer.close();
}

const micros = (iso: string) => {
  const [date, time] = iso.split(" ") as [string, string];
  const [whole, fraction = ""] = time.split(".") as [string, string?];
  return Date.parse(`${date}T${whole}Z`) * 1000 + Number(fraction.padEnd(6, "0"));
};

/** ASCII texts as PLAIN values (a 4-byte length, then the bytes), shorter than 256 bytes each. */
const plain = (texts: readonly string[]) => Buffer.concat(texts.flatMap((text) => [Buffer.from([text.length, 0, 0, 0]), Buffer.from(text)]));

describe("Parquet writer", () => {
  test("DuckDB reads back every column kind with DuckDB's own types, values, NULLs and ZSTD, over several row groups", async () => {
    const path = join(tempDir("pq-"), "kinds.parquet");
    expect(await writeTestFile(path, 1000, { rows: 300, bytes: 1 << 20 })).toBe(1000);
    expect(await parquetColumns(path)).toEqual([
      { name: "ts", type: "TIMESTAMP" },
      { name: "text", type: "VARCHAR" },
      { name: "json", type: "JSON" },
      { name: "int", type: "INTEGER" },
      { name: "uint", type: "UINTEGER" },
      { name: "big", type: "BIGINT" },
      { name: "ubig", type: "UBIGINT" },
      { name: "dbl", type: "DOUBLE" },
      { name: "flag", type: "BOOLEAN" },
      { name: "Events.Name", type: "JSON" },
    ]);
    expect(await parquetCompressions(path)).toEqual(["ZSTD"]);
    const groups = await query("SELECT count(DISTINCT row_group_id)::INTEGER AS n FROM parquet_metadata($path)", { path });
    expect(groups[0]?.n).toBe(4);
    const rows = await query(
      `SELECT strftime(ts, '%Y-%m-%d %H:%M:%S.%f') AS ts, text, json::VARCHAR AS json, int, uint, big::VARCHAR AS big, ubig::VARCHAR AS ubig, dbl, flag, "Events.Name"::VARCHAR AS "Events.Name"
       FROM read_parquet($path) ORDER BY ts`,
      { path },
    );
    expect(rows).toHaveLength(1000);
    rows.forEach((row, i) => {
      const want = expectedRow(i);
      expect(micros(String(row.ts))).toBe(want.ts);
      const expected: Record<string, unknown> = { ...want, ts: 0, big: String(want.big), ubig: String(want.ubig) };
      const received: Record<string, unknown> = { ...row, ts: 0 };
      expect(received).toEqual(expected);
    });
  });

  test("statistics let DuckDB skip row groups, and count what they must", async () => {
    const path = join(tempDir("pq-"), "stats.parquet");
    await writeTestFile(path, 1000, { rows: 100, bytes: 1 << 20 });
    const stats = await query("SELECT stats_min_value AS min, stats_max_value AS max, stats_null_count::INTEGER AS nulls FROM parquet_metadata($path) WHERE path_in_schema = 'int' ORDER BY row_group_id LIMIT 1", { path });
    expect(stats[0]).toEqual({ min: "-99000", max: "0", nulls: 0 });
    const nulls = await query("SELECT sum(stats_null_count)::INTEGER AS n FROM parquet_metadata($path) WHERE path_in_schema = 'text'", { path });
    expect(nulls[0]?.n).toBe(200);
    const counted = await query("SELECT count(*)::INTEGER AS n FROM read_parquet($path) WHERE int BETWEEN -150000 AND -100000", { path });
    expect(counted[0]?.n).toBe(51);
  });

  test("an independent reader (hyparquet) reads the same rows and types", async () => {
    const path = join(tempDir("pq-"), "kinds.parquet");
    await writeTestFile(path, 500, { rows: 128, bytes: 1 << 20 });
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    expect(Number(metadata.num_rows)).toBe(500);
    expect(metadata.row_groups).toHaveLength(4);
    const kinds = metadata.schema.slice(1).map((element) => [element.name, element.type, element.converted_type ?? null]);
    expect(kinds).toEqual([
      ["ts", "INT64", "TIMESTAMP_MICROS"],
      ["text", "BYTE_ARRAY", "UTF8"],
      ["json", "BYTE_ARRAY", "JSON"],
      ["int", "INT32", "INT_32"],
      ["uint", "INT32", "UINT_32"],
      ["big", "INT64", "INT_64"],
      ["ubig", "INT64", "UINT_64"],
      ["dbl", "DOUBLE", null],
      ["flag", "BOOLEAN", null],
      ["Events.Name", "BYTE_ARRAY", "JSON"],
    ]);
    const rows = await parquetReadObjects({ file, compressors, utf8: true });
    expect(rows).toHaveLength(500);
    rows.forEach((row, i) => {
      const want = expectedRow(i);
      expect(Number(row.ts)).toBe(Math.floor(want.ts / 1000)); // a Date: milliseconds
      expect(row.text).toBe(want.text);
      expect(row.json).toEqual(JSON.parse(want.json));
      expect([row.int, row.uint, Number(row.big), Number(row.ubig), row.dbl, row.flag, row["Events.Name"]]).toEqual([want.int, want.uint, want.big, want.ubig, want.dbl, want.flag, null]);
    });
  });

  test("text with few distinct values is dictionary-encoded, with min/max; DuckDB and hyparquet read the same values", async () => {
    const path = join(tempDir("pq-"), "dictionary.parquet");
    const columns: ColumnSpec[] = [
      { name: "n", kind: "INTEGER" },
      { name: "name", kind: "VARCHAR" }, // 300 distinct: indices 9 bits wide, two bytes each
      { name: "kind", kind: "VARCHAR" }, // 3 distinct and NULLs
      { name: "long", kind: "VARCHAR" }, // values past 256 bytes: PLAIN, no statistics
      { name: "uniq", kind: "JSON" }, // all distinct: PLAIN
      { name: "service", kind: "VARCHAR" }, // a constant
    ];
    const row = (i: number) => ({
      n: i,
      name: `name-${String((i * 7) % 300).padStart(3, "0")}`,
      kind: i % 7 === 0 ? null : (["b", "a", "c"][Math.floor(i / 5) % 3] as string),
      long: i % 2 ? "x".repeat(300) : "y",
      uniq: `{"i":${i}}`,
      service: "claude-code",
    });
    const writer = new ParquetWriter(path, columns, [undefined, undefined, undefined, undefined, undefined, Buffer.from("claude-code")], { rows: 1200, bytes: 1 << 20 });
    for (let i = 0; i < 3000; i++) {
      const want = row(i);
      const [n, name, kind, long, uniq] = writer.row;
      n?.pushNumber(want.n);
      name?.pushString(want.name);
      if (want.kind === null) kind?.pushNull();
      else kind?.pushString(want.kind);
      long?.pushString(want.long);
      uniq?.pushString(want.uniq);
      await writer.endRow();
    }
    expect(await writer.close()).toBe(3000);
    const meta = await query(
      `SELECT path_in_schema AS col, list_sort(list_distinct(flatten(list(string_split(encodings, ', ')))))::VARCHAR AS enc,
         min(stats_min_value) AS min, max(stats_max_value) AS max, count(*)::INTEGER AS groups, bool_or(dictionary_page_offset IS NOT NULL) AS dict
       FROM parquet_metadata($path) GROUP BY col ORDER BY col`,
      { path },
    );
    const byColumn = Object.fromEntries(meta.map((entry) => [entry.col, entry]));
    expect(byColumn.name).toMatchObject({ dict: true, min: "name-000", max: "name-299", groups: 3 });
    expect(String(byColumn.name?.enc)).toContain("RLE_DICTIONARY");
    expect(byColumn.kind).toMatchObject({ dict: true, min: "a", max: "c" });
    expect(byColumn.service).toMatchObject({ dict: true, min: "claude-code", max: "claude-code" });
    expect(byColumn.long).toMatchObject({ dict: false, min: null, max: null });
    expect(byColumn.uniq).toMatchObject({ dict: false, min: null, max: null }); // JSON: no statistics
    const expected = Array.from({ length: 3000 }, (_, i) => row(i));
    expect(await query("SELECT n, name, kind, long, uniq::VARCHAR AS uniq, service FROM read_parquet($path) ORDER BY n", { path })).toEqual(expected);
    // Filters DuckDB answers from the dictionary and the statistics.
    expect(await query("SELECT count(*)::INTEGER AS c FROM read_parquet($path) WHERE kind = 'a' AND service = 'claude-code'", { path })).toEqual([
      { c: expected.filter((want) => want.kind === "a").length },
    ]);
    expect(await query("SELECT count(*)::INTEGER AS c FROM read_parquet($path) WHERE service = 'codex'", { path })).toEqual([{ c: 0 }]);
    const file = await asyncBufferFromFile(path);
    const independent = await parquetReadObjects({ file, compressors, utf8: true });
    expect(independent).toEqual(expected.map((want) => ({ ...want, uniq: JSON.parse(want.uniq) })));
  });

  test("dictionary entries are told apart by their bytes, also when their hashes are the same", () => {
    // Two values with one FNV-1a hash, among more than the few entries compared without a map.
    const [a, b] = ["v7pwu", "ve5fa"] as const;
    expect(bytesHash(Buffer.from(a), 0, a.length)).toBe(bytesHash(Buffer.from(b), 0, b.length));
    const names = [...Array.from({ length: 20 }, (_, i) => `name-${i}`), a, b];
    const texts = [...names, ...names, b, a];
    const chunk = textChunk(plain(texts), texts.length);
    expect(chunk.dictionary?.entries).toBe(names.length);
    expect(chunk.dictionary?.values).toEqual(plain(names));
    expect([chunk.min?.toString(), chunk.max?.toString()]).toEqual(["name-0", "ve5fa"]);
  });

  test("a JSON chunk takes a dictionary only when its values repeat four times or more early on", () => {
    // Twins (Claude's token rows and their `_user_facing` copies): one value in two is new.
    const twins = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ "session.id": `s${i >> 3}`, type: `t${(i >> 1) % 4}` }));
    expect(textChunk(plain(twins), twins.length, false).dictionary).toBeNull();
    // As text with statistics (not JSON), the same values keep their dictionary: 1,500 entries.
    expect(textChunk(plain(twins), twins.length).dictionary?.entries).toBe(1500);
    const few = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ type: `t${i % 5}` }));
    const chunk = textChunk(plain(few), few.length, false);
    expect(chunk.dictionary?.entries).toBe(5);
    expect([chunk.min, chunk.max]).toEqual([null, null]);
  });

  test("pages over 1 MiB (compressed on the thread pool while the next row group fills) come back whole and in order", async () => {
    const path = join(tempDir("pq-"), "large.parquet");
    const columns: ColumnSpec[] = [
      { name: "n", kind: "INTEGER" },
      { name: "text", kind: "VARCHAR" },
    ];
    const writer = new ParquetWriter(path, columns, [], { rows: 1000, bytes: 3 << 20 });
    // 12 values of ~700 KB: a row group ends every 5 values (past 3 MiB), each with a text page over 1 MiB.
    const text = (i: number) => `${i}:${"ünïcödé <div> & \n ".repeat(i + 1)}`.padEnd(700_000 + i, String.fromCharCode(97 + i));
    for (let i = 0; i < 12; i++) {
      writer.row[0]?.pushNumber(i);
      writer.row[1]?.pushText(text(i));
      await writer.endRow();
    }
    expect(await writer.close()).toBe(12);
    const groups = await query("SELECT row_group_id::INTEGER AS g, total_uncompressed_size::BIGINT AS size FROM parquet_metadata($path) WHERE path_in_schema = 'text' ORDER BY g", { path });
    expect(groups.map((group) => group.g)).toEqual([0, 1, 2]);
    expect(groups.every((group) => Number(group.size) > 1 << 20)).toBe(true);
    const rows = await query("SELECT n, md5(text) AS digest, length(text)::INTEGER AS length FROM read_parquet($path)", { path });
    const md5 = (value: string) => new Bun.CryptoHasher("md5").update(value).digest("hex");
    expect(rows).toEqual(Array.from({ length: 12 }, (_, i) => ({ n: i, digest: md5(text(i)), length: text(i).length })));
    const file = await asyncBufferFromFile(path);
    const independent = await parquetReadObjects({ file, compressors, utf8: true });
    expect(independent.map((row) => row.text === text(row.n as number))).toEqual(Array(12).fill(true));
  });

  test("a writer abandoned while a row group is compressed writes nothing more, into no other file", async () => {
    const dir = tempDir("pq-");
    const writer = new ParquetWriter(join(dir, "a.parquet"), [{ name: "text", kind: "VARCHAR" }], [], { rows: 1, bytes: 1 << 30 });
    writer.row[0]?.pushText("x".repeat(2 << 20)); // a page for the thread pool
    const pending = writer.endRow();
    expect(pending).toBeDefined();
    writer.abandon();
    // The descriptor's number is free again: the next file opened is likely to get it.
    const other = join(dir, "b.txt");
    const fd = openSync(other, "w");
    try {
      await pending;
      await Bun.sleep(20);
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(other).length).toBe(0);
  });

  test("constant columns and an empty file", async () => {
    const dir = tempDir("pq-");
    const columns = tableColumns("otel_metrics").slice(0, 4);
    const constants = [undefined, Buffer.from("claude-code"), null, undefined];
    const writer = new ParquetWriter(join(dir, "constant.parquet"), columns, constants);
    for (let i = 0; i < 3; i++) {
      writer.row[0]?.pushNumber(i);
      writer.row[3]?.pushString(`m${i}`);
      await writer.endRow();
    }
    expect(await writer.close()).toBe(3);
    expect(await query("SELECT ServiceName, MetricName, MetricDescription FROM read_parquet($path) ORDER BY Timestamp", { path: join(dir, "constant.parquet") })).toEqual([
      { ServiceName: "claude-code", MetricName: null, MetricDescription: "m0" },
      { ServiceName: "claude-code", MetricName: null, MetricDescription: "m1" },
      { ServiceName: "claude-code", MetricName: null, MetricDescription: "m2" },
    ]);

    const empty = join(dir, "empty.parquet");
    expect(await new ParquetWriter(empty, tableColumns("otel_traces")).close()).toBe(0);
    expect((await parquetColumns(empty)).map((column) => column.name)).toEqual(tableColumns("otel_traces").map((column) => column.name));
    expect(await query("SELECT count(*)::INTEGER AS n FROM read_parquet($empty)", { empty })).toEqual([{ n: 0 }]);
    expect(readFileSync(empty).subarray(0, 4).toString()).toBe("PAR1");
  });
});

describe("export --from-files writes the Go importer's row shape (go-reference §3.3)", () => {
  test("every column of a log row and a metric row, and the types DuckDB's own COPY gives", async () => {
    const tree = sampleTree();
    const out = tempDir("shape-");
    // Without a host name (host-name.test.ts), as the Go importer writes them.
    const run = await runCli(["export", "claude-code", "--from-files", "--host-name", "none", "--output", out, "--yes"], { env: tree.env });
    expect(run.exitCode).toBe(0);
    const [log] = await query(
      `SELECT * EXCLUDE (Timestamp, SeverityText, SeverityNumber, Body, LogAttributes), Timestamp IS NOT NULL AS has_time, json_extract_string(LogAttributes, '$.import_source') AS source
       FROM read_parquet($file) LIMIT 1`,
      { file: join(out, "logs.parquet") },
    );
    expect(log).toEqual({
      TraceId: null, SpanId: null, TraceFlags: 0, ServiceName: "claude-code", ResourceSchemaUrl: null, ResourceAttributes: "{}",
      ScopeSchemaUrl: null, ScopeName: null, ScopeVersion: null, ScopeAttributes: "{}", has_time: true, source: "local_jsonl",
    });
    const [metric] = await query(
      `SELECT * EXCLUDE (Timestamp, MetricName, Attributes, Value), Value > 0 AS positive FROM read_parquet($file) LIMIT 1`,
      { file: join(out, "metrics.parquet") },
    );
    expect(metric).toEqual({
      ServiceName: "claude-code", MetricDescription: null, MetricUnit: null, ResourceAttributes: "{}", ScopeName: null, ScopeVersion: null,
      MetricType: "sum", AggregationTemporality: null, IsMonotonic: null, Count: null, Sum: null, BucketCounts: "[]", ExplicitBounds: "[]",
      Scale: null, ZeroCount: null, PositiveOffset: null, PositiveBucketCounts: "[]", NegativeOffset: null, NegativeBucketCounts: "[]",
      QuantileValues: "[]", QuantileQuantiles: "[]", Min: null, Max: null, positive: true,
    });
    // The same column types as DuckDB writes when it COPYs the tables themselves.
    const copied = tempDir("copied-");
    await query(
      `CREATE TABLE otel_logs AS SELECT * FROM read_parquet('${join(out, "logs.parquet")}');
       CREATE TABLE otel_metrics AS SELECT * FROM read_parquet('${join(out, "metrics.parquet")}');
       COPY otel_logs TO '${join(copied, "logs.parquet")}' (FORMAT PARQUET, COMPRESSION 'ZSTD');
       COPY otel_metrics TO '${join(copied, "metrics.parquet")}' (FORMAT PARQUET, COMPRESSION 'ZSTD');`,
    );
    for (const file of ["logs.parquet", "metrics.parquet"]) expect(await parquetColumns(join(out, file))).toEqual(await parquetColumns(join(copied, file)));
  });
});
