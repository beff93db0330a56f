import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { openOrCreateDatabase } from "../src/db/open.ts";
import type { ImportSize } from "../src/db/duckdb-memory.ts";
import { completePendingIndexes, largestFirst, prepareIndexesForImport, prepareIndexesForRows } from "../src/db/pending-indexes.ts";
import { createSchema, INDEX_STATEMENTS } from "../src/db/schema.ts";
import { addPendingIndexesAfresh, importFailure } from "../src/import/open-for-import.ts";
import { CliError } from "../src/shared/errors.ts";
import { query } from "./helpers/duckdb-read.ts";
import { withDatabase } from "./helpers/duckdb-write.ts";
import { goDatabase } from "./helpers/go-database.ts";
import { runCli, runCliJson } from "./helpers/run-cli.ts";
import { sampleTree } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

const indexNames = async (db: string) =>
  (await query("SELECT index_name FROM duckdb_indexes() WHERE database_name = current_database() ORDER BY index_name", {}, db)).map((row) => String(row.index_name));
const pending = async (db: string) => (await query("SELECT count(*)::INTEGER AS n FROM ai_observer_pending", {}, db))[0]?.n;
const eventsKey = async (db: string) =>
  (await query("SELECT count(*)::INTEGER AS n FROM duckdb_constraints() WHERE table_name = 'ai_observer_import_events' AND constraint_type = 'PRIMARY KEY'", {}, db))[0]?.n;
const bookkeeping = async (db: string) =>
  (await query("SELECT count(*)::INTEGER AS n, count(DISTINCT (tool, event_key))::INTEGER AS distinct_keys FROM ai_observer_import_events", {}, db))[0];

type Connection = Awaited<ReturnType<DuckDBInstance["connect"]>>;
/** The indexes and the pending mark as an open connection sees them (inside its transaction). */
const openIndexes = async (connection: Connection) => (await connection.runAndReadAll("SELECT index_name FROM duckdb_indexes() ORDER BY 1")).getRows().map((row) => String(row[0]));
const openMarks = async (connection: Connection) => Number((await connection.runAndReadAll("SELECT count(*) FROM ai_observer_pending")).getRows()[0]?.[0]);

/** The indexes AI Observer's schema has (schema.test.ts holds them to the Go server's). */
async function goIndexes(): Promise<string[]> {
  const path = join(tempDir("schema-"), "schema.duckdb");
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await createSchema(connection);
  connection.closeSync();
  instance.closeSync();
  return indexNames(path);
}

/** Takes a database back to what a run killed after its COMMIT leaves: the rows in, the indexes not yet made. */
async function dropIndexes(db: string): Promise<void> {
  const names = await indexNames(db);
  await withDatabase(db, async (run) => {
    for (const name of names) await run(`DROP INDEX ${name}`);
    await run("INSERT INTO ai_observer_pending (work) VALUES ('indexes')");
  });
}

describe("a database that import creates gets AI Observer's indexes with or after its first rows", () => {
  test("after the import: every index, no mark left, bookkeeping without a primary key and one row per event", async () => {
    const tree = sampleTree();
    const db = join(tempDir("new-db-"), "ai-observer.duckdb");
    const result = await runCliJson(["import", "all", "--db", db], { env: tree.env });
    expect(result.status).toBe("imported");
    const expected = await goIndexes();
    expect(expected.length).toBe(25);
    expect(await indexNames(db)).toEqual(expected);
    expect(await pending(db)).toBe(0);
    expect(await eventsKey(db)).toBe(0);
    const counts = await bookkeeping(db);
    expect(counts?.n).toBeGreaterThan(0);
    expect(counts?.n).toBe(counts?.distinct_keys);
  });

  test("each bookkeeping row names its event's tool, key, timestamp and file as the event's rows do", async () => {
    const tree = sampleTree();
    const db = join(tempDir("records-"), "ai-observer.duckdb");
    expect((await runCliJson(["import", "all", "--db", db], { env: tree.env })).status).toBe("imported");
    // The rows of each event: its key and timestamp, and the file it came from (import_state holds the files read).
    const [check] = await query(
      `WITH event_rows AS (
         SELECT DISTINCT ServiceName AS service, json_extract_string(Attributes, '$."import.key"') AS event_key, Timestamp AS ts FROM otel_metrics
         UNION SELECT DISTINCT ServiceName, json_extract_string(LogAttributes, '$."import.key"'), Timestamp FROM otel_logs)
       SELECT
         (SELECT count(*) FROM ai_observer_import_events)::INTEGER AS records,
         (SELECT count(DISTINCT (event_key, ts)) FROM event_rows WHERE event_key IS NOT NULL)::INTEGER AS events,
         (SELECT count(*) FROM ai_observer_import_events e WHERE EXISTS (SELECT 1 FROM event_rows r WHERE r.event_key = e.event_key AND r.ts = e.ts))::INTEGER AS matched,
         (SELECT count(*) FROM ai_observer_import_events e WHERE e.file_path IN (SELECT file_path FROM import_state WHERE source = e.tool))::INTEGER AS in_files,
         (SELECT count(*) FROM ai_observer_import_events WHERE rank IS NULL OR unpriced IS NULL)::INTEGER AS incomplete,
         (SELECT string_agg(DISTINCT tool, ',' ORDER BY tool) FROM ai_observer_import_events) AS tools`,
      {},
      db,
    );
    expect(check?.records).toBeGreaterThan(100);
    expect(check).toEqual({ records: check?.records, events: check?.records, matched: check?.records, in_files: check?.records, incomplete: 0, tools: "claude-code,codex,gemini" });
  });

  test("a run killed after its COMMIT: the next import, which finds nothing new, adds the indexes", async () => {
    const tree = sampleTree();
    const db = join(tempDir("killed-"), "ai-observer.duckdb");
    expect((await runCliJson(["import", "all", "--db", db], { env: tree.env })).status).toBe("imported");
    const rows = await query("SELECT (SELECT count(*) FROM otel_logs)::INTEGER AS logs, (SELECT count(*) FROM otel_metrics)::INTEGER AS metrics", {}, db);
    await dropIndexes(db);
    expect(await indexNames(db)).toEqual([]);
    const again = await runCliJson(["import", "all", "--db", db], { env: tree.env });
    expect(again.status).toBe("nothing");
    expect(await indexNames(db)).toEqual(await goIndexes());
    expect(await pending(db)).toBe(0);
    expect(await query("SELECT (SELECT count(*) FROM otel_logs)::INTEGER AS logs, (SELECT count(*) FROM otel_metrics)::INTEGER AS metrics", {}, db)).toEqual(rows);
  });

  test("the same for an archive import: the rerun that finds every row there adds the indexes", async () => {
    const tree = sampleTree();
    const archive = tempDir("archive-");
    expect((await runCli(["export", "all", "--from-files", "--output", archive, "--yes"], { env: tree.env })).exitCode).toBe(0);
    const db = join(tempDir("archive-db-"), "ai-observer.duckdb");
    expect((await runCliJson(["import", "--from-export", archive, "--db", db])).status).toBe("imported");
    expect(await indexNames(db)).toEqual(await goIndexes());
    await dropIndexes(db);
    expect((await runCliJson(["import", "--from-export", archive, "--db", db])).status).toBe("nothing");
    expect(await indexNames(db)).toEqual(await goIndexes());
    expect(await pending(db)).toBe(0);
  });

  test("a database whose bookkeeping has the primary key of earlier versions: dropped on open, rows kept, a forced import replaces each event's row", async () => {
    const tree = sampleTree();
    const db = join(tempDir("keyed-"), "ai-observer.duckdb");
    expect((await runCliJson(["import", "all", "--db", db], { env: tree.env })).status).toBe("imported");
    const before = await query("SELECT tool, event_key, rank FROM ai_observer_import_events ORDER BY ALL", {}, db);
    await withDatabase(db, async (run) => {
      await run(`CREATE TABLE keyed (tool VARCHAR NOT NULL, event_key VARCHAR NOT NULL, rank DOUBLE NOT NULL, ts TIMESTAMP NOT NULL, file_path VARCHAR NOT NULL, unpriced BOOLEAN, PRIMARY KEY (tool, event_key))`);
      await run("INSERT INTO keyed SELECT tool, event_key, rank, ts, file_path, unpriced FROM ai_observer_import_events");
      await run("DROP TABLE ai_observer_import_events");
      await run("ALTER TABLE keyed RENAME TO ai_observer_import_events");
    });
    expect(await eventsKey(db)).toBe(1);
    const forced = await runCliJson(["import", "all", "--db", db, "--force"], { env: tree.env });
    expect(forced.status).toBe("imported");
    expect(await eventsKey(db)).toBe(0);
    expect(await query("SELECT tool, event_key, rank FROM ai_observer_import_events ORDER BY ALL", {}, db)).toEqual(before);
  });
});

describe("the pending indexes, step by step", () => {
  test("over large tables, the largest index first: the largest table's, the widest key first; each with its table's rows", () => {
    const rows = new Map([["otel_metrics", 5_000_000], ["otel_logs", 500_000], ["otel_traces", 100_000]]);
    const ordered = largestFirst(INDEX_STATEMENTS, rows);
    const name = (statement: string) => /INDEX IF NOT EXISTS (\w+)/.exec(statement)?.[1];
    expect(ordered.map(({ statement }) => statement).sort()).toEqual([...INDEX_STATEMENTS].sort());
    expect(ordered.slice(0, 7).map(({ statement }) => name(statement))).toEqual([
      "idx_metrics_name_service_timestamp",
      "idx_metrics_service_timestamp",
      "idx_metrics_name_timestamp",
      "idx_metrics_timestamp",
      "idx_metrics_name",
      "idx_metrics_type",
      "idx_metrics_service_name",
    ]);
    expect(ordered.slice(0, 7).every((index) => index.rows === 5_000_000)).toBe(true);
    expect(ordered.slice(7, 14).every((index) => / ON otel_logs\(/.test(index.statement) && index.rows === 500_000)).toBe(true);
    expect(ordered.at(-1)?.rows).toBe(0);
  });

  test("an archive import's indexes after its COMMIT are made in a DuckDB instance of their own; a failed reopen says the rows are in", async () => {
    const folder = tempDir("afresh-");
    const path = join(folder, "ai-observer.duckdb");
    const location = { path, origin: "--db" } as const;
    const first = await openOrCreateDatabase(path);
    await first.connection.run(
      "INSERT INTO otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value) SELECT TIMESTAMP '2026-01-01' + to_microseconds(i), 'claude-code', 'claude_code.token.usage', 'sum', i FROM range(1000) t(i)",
    );
    let current = first;
    try {
      await addPendingIndexesAfresh(first, location, null, (fresh) => {
        current = fresh;
      });
      expect(current).not.toBe(first);
      expect(await current.connection.runAndReadAll("SELECT count(*) FROM duckdb_indexes()").then((r) => Number(r.getRows()[0]?.[0]))).toBe((await goIndexes()).length);
      // Nothing pending: the same instance goes on.
      const again = current;
      await addPendingIndexesAfresh(again, location, null, () => {
        throw new Error("reopened although nothing was pending");
      });
      expect(Number((await again.connection.runAndReadAll("SELECT count(*) FROM otel_metrics")).getRows()[0]?.[0])).toBe(1000);
    } finally {
      current.close();
    }
    expect(await indexNames(path)).toEqual(await goIndexes());
    expect(await pending(path)).toBe(0);

    await dropIndexes(path);
    const second = await openOrCreateDatabase(path);
    const elsewhere = { path: join(folder, "missing", "gone.duckdb"), origin: "--db" } as const;
    rmSync(join(folder, "missing"), { recursive: true, force: true });
    mkdirSync(join(folder, "missing", "gone.duckdb"), { recursive: true }); // a folder where the database was
    const failed = await addPendingIndexesAfresh(second, elsewhere, null, () => undefined).then(
      () => null,
      (error: unknown) => error,
    );
    second.close();
    expect(failed).toBeInstanceOf(CliError);
    expect((failed as Error).message).toStartWith("the rows were imported, but adding the database's indexes failed (the next import adds them): ");
    expect(await pending(path)).toBe(1);
  });

  test("a new database waits for them; an import that leaves under a million rows makes them before its rows, a larger one after its COMMIT, without a WAL (one that commits in parts: before, over 4 million)", async () => {
    const path = join(tempDir("pending-"), "ai-observer.duckdb");
    const db = await openOrCreateDatabase(path);
    try {
      const { connection } = db;
      expect(await openIndexes(connection)).toEqual([]);
      expect(await openMarks(connection)).toBe(1);

      await connection.run("BEGIN TRANSACTION");
      const size: ImportSize = { events: 0, rowsBefore: 0, rowsAdded: 1_000_000, indexed: true, wholeIndexes: true };
      expect(await prepareIndexesForImport(connection, size)).toBe(false);
      expect(size.indexed).toBe(false); // the COMMIT's bound counts no indexes
      expect(size.wholeIndexes).toBe(false); // a database in our storage format
      expect(await openIndexes(connection)).toEqual([]);
      await connection.run(
        "INSERT INTO otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value) SELECT TIMESTAMP '2026-01-01' + to_microseconds(i), 'claude-code', 'claude_code.token.usage', 'sum', i FROM range(1000000) t(i)",
      );
      await connection.run("COMMIT");
      expect(existsSync(`${path}.wal`)).toBe(true); // the rows, in the WAL until a checkpoint
      await completePendingIndexes(connection);
      expect(await openIndexes(connection)).toEqual(await goIndexes());
      expect(await openMarks(connection)).toBe(0);
      expect(existsSync(`${path}.wal`) && statSync(`${path}.wal`).size > 0).toBe(false);
      const found = await connection.runAndReadAll("SELECT count(*) FROM otel_metrics WHERE ServiceName = 'claude-code' AND Timestamp >= TIMESTAMP '2026-01-01'");
      expect(Number(found.getRows()[0]?.[0])).toBe(1_000_000);
      await completePendingIndexes(connection); // nothing pending: nothing to do
      expect(await openIndexes(connection)).toEqual(await goIndexes());
    } finally {
      db.close();
    }

    // Under a million rows: made before the rows, committed outside the import's transaction (no WAL left). One that
    // commits its rows in parts makes them before its rows too when the tables will then hold more than 4 million
    // (made after, the largest one's ART would be held whole), not at 4 million.
    const all = await goIndexes();
    for (const [rowsAdded, inParts, before] of [
      [999_999, false, true],
      [4_000_001, true, true],
      [4_000_000, true, false],
    ] as const) {
      const created = join(tempDir("pending-"), "ai-observer.duckdb");
      const other = await openOrCreateDatabase(created);
      try {
        const { connection } = other;
        await connection.run("BEGIN TRANSACTION");
        const size: ImportSize = { events: 0, rowsBefore: 0, rowsAdded, indexed: !before, wholeIndexes: true };
        expect(await prepareIndexesForImport(connection, size, inParts)).toBe(false);
        expect([rowsAdded, size.indexed]).toEqual([rowsAdded, before]);
        // A transaction is open again, and the indexes are committed outside it.
        await connection.run("ROLLBACK");
        expect([rowsAdded, (await openIndexes(connection)).length]).toEqual([rowsAdded, before ? all.length : 0]);
        expect(existsSync(`${created}.wal`) && statSync(`${created}.wal`).size > 0).toBe(false);
      } finally {
        other.close();
      }
      expect([rowsAdded, await indexNames(created)]).toEqual([rowsAdded, before ? all : []]);
    }
  });

  test("an import (from files or an export) that adds a million rows or more, and at least half the rows there, to a database with its indexes drops them in a transaction of their own and makes them after its COMMIT (one that commits in parts, up to 4 million rows)", async () => {
    const path = join(tempDir("drop-"), "ai-observer.duckdb");
    const db = await openOrCreateDatabase(path);
    try {
      const { connection } = db;
      await completePendingIndexes(connection); // the new database's indexes, as after its first import
      const all = await goIndexes();
      expect(await openIndexes(connection)).toEqual(all);

      await connection.run("BEGIN TRANSACTION");
      expect(await prepareIndexesForRows(connection, 0, 999_999)).toBe(false);
      // Under half the rows there: kept (making them again would take memory by the table's rows).
      const kept: ImportSize = { events: 0, rowsBefore: 2_000_001, rowsAdded: 1_000_000, indexed: false, wholeIndexes: true };
      expect(await prepareIndexesForImport(connection, kept)).toBe(false);
      expect(kept.indexed).toBe(true);
      expect(await openIndexes(connection)).toEqual(all);
      // One that would commit its rows in parts keeps them when the tables will then hold more than 4 million rows
      // (making them again holds the largest one's ART), and drops them below that.
      const inParts: ImportSize = { events: 0, rowsBefore: 3_000_000, rowsAdded: 1_500_000, indexed: false, wholeIndexes: true };
      expect(await prepareIndexesForImport(connection, inParts, true)).toBe(false);
      expect([inParts.indexed, inParts.wholeIndexes]).toEqual([true, false]);
      expect(await openIndexes(connection)).toEqual(all);
      const dropped: ImportSize = { events: 0, rowsBefore: 2_000_000, rowsAdded: 1_000_000, indexed: true, wholeIndexes: true };
      expect(await prepareIndexesForImport(connection, dropped, true)).toBe(true);
      expect(dropped.indexed).toBe(false);
      // The drop and the mark are committed; the import's transaction is open again and rolled back here.
      await connection.run(
        "INSERT INTO otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value) SELECT TIMESTAMP '2026-01-01' + to_microseconds(i), 'claude-code', 'claude_code.token.usage', 'sum', i FROM range(1000) t(i)",
      );
      await connection.run("ROLLBACK");
      expect(await openIndexes(connection)).toEqual([]);
      expect(await openMarks(connection)).toBe(1);
      // Should the import fail now, it says who makes them.
      expect(importFailure(new Error("Out of Memory Error: could not allocate\nmore"), { indexesDropped: true }).message).toBe(
        "import failed, nothing was imported: Out of Memory Error: could not allocate (the database's indexes, dropped to add its rows, are made again by the next import)",
      );
      expect(await prepareIndexesForRows(connection, 5_000_000, 5_000_000)).toBe(false); // already pending: nothing to drop
      await completePendingIndexes(connection);
      expect(await openIndexes(connection)).toEqual(all);
      expect(await openMarks(connection)).toBe(0);

      // A database with another set of indexes keeps its own.
      await connection.run(`DROP INDEX ${all[0]}`);
      await connection.run("BEGIN TRANSACTION");
      expect(await prepareIndexesForRows(connection, 5_000_000, 5_000_000)).toBe(false);
      await connection.run("ROLLBACK");
      expect(await openIndexes(connection)).toEqual(all.slice(1));
      expect(await openMarks(connection)).toBe(0);
    } finally {
      db.close();
    }
  });

  test("in a database the Go server made (an older storage format), the COMMIT's bound counts the indexes whole", async () => {
    const path = join(tempDir("whole-indexes-"), "ai-observer.duckdb");
    await goDatabase(path, "0.5");
    const db = await openOrCreateDatabase(path);
    try {
      const { connection } = db;
      await connection.run("BEGIN TRANSACTION");
      const size: ImportSize = { events: 0, rowsBefore: 0, rowsAdded: 10, indexed: true, wholeIndexes: false };
      expect(await prepareIndexesForImport(connection, size)).toBe(false);
      expect(size).toMatchObject({ indexed: true, wholeIndexes: true });
      await connection.run("ROLLBACK");
    } finally {
      db.close();
    }
  });
});
