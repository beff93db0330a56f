import { describe, expect, test } from "bun:test";
import { openMemoryDatabase } from "../src/db/open.ts";
import { withJsonRows, withTempTable } from "../src/db/temp-table.ts";

const TRICKY = ['plain', 'quote " and \\ backslash', "new\nline", "ünïcødé 日本", "it's; DROP TABLE x"];

describe("JavaScript rows as DuckDB relations", () => {
  test("withJsonRows: every value read back exactly, with its type; no rows give an empty relation of the same columns", async () => {
    const db = await openMemoryDatabase();
    try {
      const rows = TRICKY.map((text, i) => ({ text, n: i * 1.5, big: 2 ** 40 + i }));
      const read = await withJsonRows({ text: "VARCHAR", n: "DOUBLE", big: "BIGINT" }, rows, async (source, params, count) => {
        expect(count).toBe(TRICKY.length);
        const reader = await db.connection.runAndReadAll(`SELECT text, n, big, typeof(big) FROM ${source} ORDER BY n`, params);
        return reader.getRows();
      });
      expect(read).toEqual(rows.map((row) => [row.text, row.n, BigInt(row.big), "BIGINT"]));
      const empty = await withJsonRows({ text: "VARCHAR" }, [], async (source, params) => {
        const reader = await db.connection.runAndReadAll(`SELECT count(*)::INTEGER, typeof(any_value(text)) FROM ${source}`, params);
        return reader.getRows();
      });
      expect(empty).toEqual([[0, "VARCHAR"]]);
    } finally {
      db.close();
    }
  });

  test("withTempTable: the table exists while it is used and is dropped after, also when the use fails", async () => {
    const db = await openMemoryDatabase();
    const tables = async () => (await db.connection.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE temporary")).getRows().flat();
    try {
      const inside = await withTempTable(db.connection, "t_rows", { text: "VARCHAR" }, [{ text: "a" }], () => tables());
      expect(inside).toEqual(["t_rows"]);
      expect(await tables()).toEqual([]);
      const failing = withTempTable(db.connection, "t_rows", { text: "VARCHAR" }, [{ text: "a" }], () => Promise.reject(new Error("use failed")));
      expect(failing).rejects.toThrow("use failed");
      await failing.catch(() => undefined);
      expect(await tables()).toEqual([]);
    } finally {
      db.close();
    }
  });
});
