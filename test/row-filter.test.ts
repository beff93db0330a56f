import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { filterParams, microsTest } from "../src/db/row-filter.ts";
import { textMicros } from "../src/sources/shared/timestamps.ts";
import { query } from "./helpers/duckdb-read.ts";

const ROW_FILTER_SQL = readFileSync(join(import.meta.dir, "..", "src", "db", "row-filter.sql"), "utf8");

test("a range tests a time in microseconds as the SQL filter tests the rows' Timestamp: both ends included, to the microsecond", async () => {
  const times = [
    "2026-03-04 23:59:59.999999",
    "2026-03-05 00:00:00.000000",
    "2026-03-08 12:00:00.500000",
    "2026-03-12 23:59:59.999999",
    "2026-03-13 00:00:00.000000",
    "1999-12-31 23:59:59.999999",
    "2099-01-01 00:00:00.000000",
  ];
  for (const range of [{ from: "2026-03-05", to: "2026-03-12" }, { from: "2026-03-05" }, { to: "2026-03-12" }]) {
    const { from, to } = filterParams({ range, serviceName: null });
    const values = times.map((time, i) => `(${i}, TIMESTAMP '${time}', 'svc')`).join(", ");
    const rows = await query(`SELECT (${ROW_FILTER_SQL}) AS passes FROM (VALUES ${values}) AS rows(i, Timestamp, ServiceName) ORDER BY i`, { from, to, service: "svc" });
    const bySql = rows.map((row) => row.passes as boolean);
    const inMicros = microsTest(range) as (micros: number) => boolean;
    expect(times.map((time) => inMicros(textMicros(time)))).toEqual(bySql);
    expect(new Set(bySql)).toEqual(new Set([true, false]));
  }
  expect(microsTest({})).toBeNull();
});
