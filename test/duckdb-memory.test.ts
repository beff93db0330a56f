import { afterEach, describe, expect, test } from "bun:test";
import { totalmem } from "node:os";
import { openMemoryDatabase } from "../src/db/open.ts";
import type { DuckDBConnection } from "../src/db/duckdb.ts";
import { boundCommitMemory, boundDuckDBMemory, commitMemoryLimit, retryWithoutMemoryLimit, telemetryRowCount } from "../src/db/duckdb-memory.ts";

/** DuckDB's memory_limit setting in MB (DuckDB's "MB" is 1000², its display MiB). */
async function limitMB(connection: DuckDBConnection): Promise<number> {
  const reader = await connection.runAndReadAll("SELECT current_setting('memory_limit')");
  const text = String(reader.getRows()[0]?.[0]);
  const match = /^([\d.]+) (MiB|GiB)$/.exec(text);
  if (!match) throw new Error(`unexpected memory_limit ${text}`);
  return Math.round(Number(match[1]) * (match[2] === "GiB" ? 1024 : 1) * 1.048576);
}

const unboundedMiB = Math.floor((totalmem() * 0.8) / 1024 ** 2);
const saved = process.env.AI_OBSERVER_MEMORY_LIMIT;
afterEach(() => {
  if (saved === undefined) delete process.env.AI_OBSERVER_MEMORY_LIMIT;
  else process.env.AI_OBSERVER_MEMORY_LIMIT = saved;
});

describe("DuckDB's memory for an import's COMMIT", () => {
  test("the import's bound on an empty database, 48 bytes more per row already stored, never above DuckDB's default", () => {
    expect(commitMemoryLimit(0)).toBe("128MB");
    expect(commitMemoryLimit(1)).toBe("129MB");
    expect(commitMemoryLimit(15_000_000)).toBe(`${Math.min(unboundedMiB, 128 + Math.ceil((15_000_000 * 48) / 1024 ** 2))}MB`);
    expect(commitMemoryLimit(1e12)).toBe(`${unboundedMiB}MB`);
  });

  test("set from the rows of the telemetry tables; left unbounded after the work itself ran out", async () => {
    delete process.env.AI_OBSERVER_MEMORY_LIMIT;
    const db = await openMemoryDatabase();
    try {
      const { connection } = db;
      await connection.run("INSERT INTO otel_logs (Timestamp, ServiceName) SELECT TIMESTAMP '2025-01-01', 'claude-code' FROM range(3000)");
      const rows = await telemetryRowCount(connection);
      expect(rows).toBe(3000);

      await boundDuckDBMemory(connection, "import");
      expect(await limitMB(connection)).toBe(128);
      await boundCommitMemory(connection, 2_000_000);
      expect(await limitMB(connection)).toBe(128 + Math.ceil((2_000_000 * 48) / 1024 ** 2));

      // Work that runs out under the bound is run again without it, and the commit keeps no bound either.
      await boundDuckDBMemory(connection, "import");
      await connection.run("BEGIN TRANSACTION");
      let attempts = 0;
      await retryWithoutMemoryLimit(connection, async () => {
        attempts++;
        if (attempts === 1) throw new Error("Out of Memory Error: failed to pin block of size 256.0 KiB");
      });
      await boundCommitMemory(connection, 0);
      await connection.run("COMMIT");
      expect(attempts).toBe(2);
      expect(await limitMB(connection)).toBeGreaterThan(1000);
    } finally {
      db.close();
    }
  });

  test("with AI_OBSERVER_MEMORY_LIMIT set, the work keeps that bound and the commit gets none", async () => {
    process.env.AI_OBSERVER_MEMORY_LIMIT = "300MB";
    const db = await openMemoryDatabase();
    try {
      await boundDuckDBMemory(db.connection, "import");
      expect(await limitMB(db.connection)).toBe(300);
      await boundCommitMemory(db.connection, 0);
      expect(await limitMB(db.connection)).toBeGreaterThan(1000);
    } finally {
      db.close();
    }
  });
});
