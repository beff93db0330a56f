import { describe, expect, test } from "bun:test";
import { totalmem } from "node:os";
import { openMemoryDatabase } from "../src/db/open.ts";
import type { DuckDBConnection } from "../src/db/duckdb.ts";
import { DuckDBMemory, importMemoryLimits, telemetryRowCount } from "../src/db/duckdb-memory.ts";
import { EXPORT_TABLES } from "../src/archive/tables.ts";
import { holdsLargeRows } from "../src/db/schema.ts";
import { copyShape } from "../src/export/copy-shape.ts";

/** DuckDB's memory_limit setting in MB (DuckDB's "MB" is 1000², its display MiB). */
async function limitMB(connection: DuckDBConnection): Promise<number> {
  const reader = await connection.runAndReadAll("SELECT current_setting('memory_limit')");
  const text = String(reader.getRows()[0]?.[0]);
  const match = /^([\d.]+) (MiB|GiB)$/.exec(text);
  if (!match) throw new Error(`unexpected memory_limit ${text}`);
  return Math.round(Number(match[1]) * (match[2] === "GiB" ? 1024 : 1) * 1.048576);
}

const unboundedMiB = Math.floor((totalmem() * 0.8) / 1024 ** 2);

const mb = (bytes: number) => Math.ceil(bytes / 1024 ** 2);

describe("DuckDB's memory for the steps of an import", () => {
  test("128 MB for the rows (an archive 192), 64 bytes more per event for the bookkeeping (an archive 32), 48 more per stored row and 64 per added row for the COMMIT where the tables keep their indexes (256 per added row alone in our storage format), at least 192 MB for that COMMIT, none above DuckDB's default", () => {
    // However few rows, a COMMIT into tables that keep their indexes gets 192 MB.
    expect(importMemoryLimits({ events: 0, rowsBefore: 0, rowsAdded: 0, indexed: true, wholeIndexes: true })).toEqual({ rows: "128MB", bookkeeping: "128MB", commit: "192MB" });
    expect(importMemoryLimits({ events: 4_000, rowsBefore: 3_350_000, rowsAdded: 5_518, indexed: true, wholeIndexes: false }).commit).toBe("192MB");
    expect(importMemoryLimits({ events: 45_372, rowsBefore: 0, rowsAdded: 0, indexed: false, wholeIndexes: true })).toEqual({ rows: "128MB", bookkeeping: `${128 + mb(45_372 * 64)}MB`, commit: `${128 + mb(45_372 * 64)}MB` });
    expect(importMemoryLimits({ events: 2_000_000, rowsBefore: 0, rowsAdded: 0, indexed: true, wholeIndexes: true }).commit).toBe(`${128 + mb(2_000_000 * 64)}MB`);
    const large = importMemoryLimits({ events: 1, rowsBefore: 15_000_000, rowsAdded: 0, indexed: true, wholeIndexes: true });
    expect(large.commit).toBe(`${Math.min(unboundedMiB, 129 + mb(15_000_000 * 48))}MB`);
    const added = importMemoryLimits({ events: 1, rowsBefore: 2_000_000, rowsAdded: 3_000_000, indexed: true, wholeIndexes: true });
    expect(added.commit).toBe(`${Math.min(unboundedMiB, 129 + mb(2_000_000 * 48 + 3_000_000 * 64))}MB`);
    // In our storage format the COMMIT loads only the index nodes it changes: the added rows count, 256 bytes each.
    const changed = importMemoryLimits({ events: 1, rowsBefore: 10_000_000, rowsAdded: 658_197, indexed: true, wholeIndexes: false });
    expect(changed.commit).toBe(`${129 + mb(658_197 * 256)}MB`);
    // An archive's rows may be any source's: the stored rows count too.
    const archive = importMemoryLimits({ events: 1, rowsBefore: 10_000_000, rowsAdded: 658_197, indexed: true, wholeIndexes: false }, "archive");
    expect(archive.commit).toBe(`${Math.min(unboundedMiB, 193 + mb(10_000_000 * 48 + 658_197 * 64))}MB`);
    // Tables whose indexes are pending through the COMMIT: neither the stored rows nor the added ones count.
    expect(importMemoryLimits({ events: 1, rowsBefore: 2_000_000, rowsAdded: 3_000_000, indexed: false, wholeIndexes: true }).commit).toBe("129MB");
    expect(importMemoryLimits({ events: 1e12, rowsBefore: 1e12, rowsAdded: 0, indexed: true, wholeIndexes: true })).toEqual({ rows: "128MB", bookkeeping: `${unboundedMiB}MB`, commit: `${unboundedMiB}MB` });
    // An archive's from its 192 MB, 32 bytes per event.
    expect(importMemoryLimits({ events: 1_750_000, rowsBefore: 0, rowsAdded: 0, indexed: true, wholeIndexes: true }, "archive")).toEqual({ rows: "192MB", bookkeeping: `${192 + mb(1_750_000 * 32)}MB`, commit: `${192 + mb(1_750_000 * 32)}MB` });
  });

  test("set on a real DuckDB from the telemetry tables' rows; work that ran out runs again under twice the bound, then without one", async () => {
    const db = await openMemoryDatabase();
    try {
      const { connection } = db;
      await connection.run("INSERT INTO otel_logs (Timestamp, ServiceName) SELECT TIMESTAMP '2025-01-01', 'claude-code' FROM range(3000)");
      const rowsBefore = await telemetryRowCount(connection);
      expect(rowsBefore).toBe(3000);
      const size = { events: 100_000, rowsBefore: 2_000_000, rowsAdded: 0, indexed: true, wholeIndexes: true };

      const memory = new DuckDBMemory(connection);
      await memory.bound("import");
      expect(await limitMB(connection)).toBe(128);
      await memory.step("bookkeeping", size);
      expect(await limitMB(connection)).toBe(128 + mb(100_000 * 64));
      await memory.step("commit", size);
      expect(await limitMB(connection)).toBe(128 + mb(100_000 * 64) + mb(2_000_000 * 48));

      // Work that runs out under the bound runs again under twice the bound, in a new transaction; the steps after it
      // are bounded as before.
      await memory.bound("import");
      await connection.run("BEGIN TRANSACTION");
      const limits: number[] = [];
      await memory.retryInTransaction(async () => {
        limits.push(await limitMB(connection));
        await connection.run("INSERT INTO otel_logs (Timestamp, ServiceName) VALUES (TIMESTAMP '2025-01-02', 'attempt')");
        if (limits.length === 1) throw new Error("Out of Memory Error: failed to pin block of size 256.0 KiB");
      });
      await connection.run("COMMIT");
      expect(limits).toEqual([128, 256]);
      expect(Number((await connection.runAndReadAll("SELECT count(*) FROM otel_logs WHERE ServiceName = 'attempt'")).getRows()[0]?.[0])).toBe(1);
      await memory.step("bookkeeping", size);
      expect(await limitMB(connection)).toBe(128 + mb(100_000 * 64));

      // Out of memory twice: the third attempt has no bound, nor does any later step.
      await memory.bound("import");
      await connection.run("BEGIN TRANSACTION");
      limits.length = 0;
      await memory.retryInTransaction(async () => {
        limits.push(await limitMB(connection));
        if (limits.length < 3) throw new Error("Out of Memory Error: could not allocate block of size 256.0 KiB (340.1 MiB/340.4 MiB used)");
      });
      await memory.step("commit", size);
      await connection.run("COMMIT");
      expect(limits.slice(0, 2)).toEqual([128, 256]);
      expect(limits[2]).toBeGreaterThan(1000);
      expect(await limitMB(connection)).toBeGreaterThan(1000);
    } finally {
      db.close();
    }
  });

  test("an import's and an archive import's DuckDB give back what their INSERTs free in the background and insert on at most 2 threads, an import of fewer than a million rows on one; an export's keeps DuckDB's settings", async () => {
    const setting = async (connection: DuckDBConnection, name: string) => String((await connection.runAndReadAll(`SELECT current_setting('${name}')`)).getRows()[0]?.[0]);
    for (const [work, rows, threshold, threads, background] of [
      ["export", undefined, "512.0 MiB", "4", "false"],
      ["archive", undefined, "512.0 MiB", "2", "true"],
      ["import", undefined, "512.0 MiB", "2", "true"],
      ["import", 1_000_000, "512.0 MiB", "2", "true"],
      ["import", 999_999, "512.0 MiB", "1", "true"],
    ] as const) {
      const db = await openMemoryDatabase(":memory:", 4);
      try {
        const memory = new DuckDBMemory(db.connection);
        await memory.bound(work, rows);
        const settings = `${await setting(db.connection, "allocator_bulk_deallocation_flush_threshold")}, ${await setting(db.connection, "threads")} threads, background ${await setting(db.connection, "allocator_background_threads")}`;
        expect(`${work} ${rows}: ${settings}`).toBe(`${work} ${rows}: ${threshold}, ${threads} threads, background ${background}`);
      } finally {
        db.close();
      }
    }
  });

  test("bound again after DuckDB spilled (the plan's lookups, then the import's rows): the spill folder is kept, not set anew", async () => {
    const db = await openMemoryDatabase(":memory:", 2);
    try {
      const memory = new DuckDBMemory(db.connection);
      await memory.bound("import");
      const folder = (await db.connection.runAndReadAll("SELECT current_setting('temp_directory')")).getRows()[0]?.[0];
      await db.connection.run("SET memory_limit = '16MB'");
      // ~100 MB of rows under 16 MB: DuckDB writes them to its folder.
      await db.connection.run("CREATE TEMP TABLE spilled AS SELECT range AS i, repeat('x', 100) || range AS s FROM range(1000000)");
      const written = await db.connection.runAndReadAll("SELECT count(*) FROM duckdb_temporary_files()");
      expect(Number(written.getRows()[0]?.[0])).toBeGreaterThan(0);
      await memory.bound("import", 1000);
      expect((await db.connection.runAndReadAll("SELECT current_setting('temp_directory')")).getRows()[0]?.[0]).toBe(folder);
      expect(Number((await db.connection.runAndReadAll("SELECT count(*) FROM spilled")).getRows()[0]?.[0])).toBe(1_000_000);
    } finally {
      db.close();
    }
  });

  test("an export's rows that may be large (the logs) are written on one thread under 256 MB, then the bound and threads come back; a bound the user set is kept", async () => {
    expect(EXPORT_TABLES.map((table) => `${table.key} ${holdsLargeRows(table.table)} ${JSON.stringify(copyShape(table))}`)).toEqual([
      `traces false {"rowGroupBytes":"32MB","partitionFlushRows":61440}`,
      `logs true {"rowGroupBytes":"16MB","partitionFlushRows":2048}`,
      `metrics false {"rowGroupBytes":"32MB","partitionFlushRows":61440}`,
    ]);
    const threads = async (connection: DuckDBConnection) => Number((await connection.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0]);
    for (const [setting, inside] of [
      [null, 256],
      ["300MB", 300],
    ] as const) {
      const db = await openMemoryDatabase(":memory:", 4);
      try {
        const memory = new DuckDBMemory(db.connection, setting);
        await memory.bound("export");
        const outside = await limitMB(db.connection);
        const seen = await memory.onLargeRows(async () => [await limitMB(db.connection), await threads(db.connection)]);
        expect({ setting, seen, after: [await limitMB(db.connection), await threads(db.connection)] }).toEqual({ setting, seen: [inside, 1], after: [outside, 4] });
        // Work that fails gives them back too.
        await expect(memory.onLargeRows(() => Promise.reject(new Error("stopped")))).rejects.toThrow("stopped");
        expect([await limitMB(db.connection), await threads(db.connection)]).toEqual([outside, 4]);
      } finally {
        db.close();
      }
    }
  });

  test("work on large rows that runs out inside a transaction is retried: after the ROLLBACK its threads and limit come back, then twice the limit", async () => {
    const threads = async (connection: DuckDBConnection) => Number((await connection.runAndReadAll("SELECT current_setting('threads')")).getRows()[0]?.[0]);
    const db = await openMemoryDatabase(":memory:", 4);
    try {
      const { connection } = db;
      const memory = new DuckDBMemory(connection);
      await memory.bound("archive");
      await memory.step("bookkeeping", { events: 3_000_000, rowsBefore: 0, rowsAdded: 0, indexed: true, wholeIndexes: true });
      const step = await limitMB(connection);
      expect(step).toBeGreaterThan(256);
      await connection.run("CREATE TABLE t (x INTEGER)");
      const seen: number[][] = [];
      await connection.run("BEGIN TRANSACTION");
      const result = await memory.retryInTransaction(async () => {
        await connection.run("INSERT INTO t VALUES (1)");
        const inside = await memory.onRowsOf("otel_logs", async () => {
          seen.push([await limitMB(connection), await threads(connection)]);
          // DuckDB's error aborts the transaction: the settings cannot be put back before the ROLLBACK.
          if (seen.length === 1) await connection.run("SELECT error('Out of Memory Error: failed to allocate data of size 16.0 MiB')");
          return "done";
        });
        return [inside, await limitMB(connection), await threads(connection)];
      });
      await connection.run("COMMIT");
      expect({ seen, result, rows: (await connection.runAndReadAll("SELECT count(*)::INTEGER FROM t")).getRows() }).toEqual({
        seen: [[step, 1], [2 * step, 1]],
        result: ["done", 2 * step, 2],
        rows: [[1]],
      });
    } finally {
      db.close();
    }
  });

  test("with a memory limit set (AI_OBSERVER_MEMORY_LIMIT), the work keeps that bound and the commit gets none", async () => {
    const db = await openMemoryDatabase();
    try {
      const size = { events: 100_000, rowsBefore: 0, rowsAdded: 0, indexed: true, wholeIndexes: true };
      const memory = new DuckDBMemory(db.connection, "300MB");
      await memory.bound("import");
      await memory.step("bookkeeping", size);
      expect(await limitMB(db.connection)).toBe(300);
      await memory.step("commit", size);
      expect(await limitMB(db.connection)).toBeGreaterThan(1000);
    } finally {
      db.close();
    }
  });
});
