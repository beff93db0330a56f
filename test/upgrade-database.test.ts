import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { query } from "./helpers/duckdb-read.ts";
import { createBigDatabase } from "./helpers/big-db.ts";
import { goDatabase } from "./helpers/go-database.ts";
import { holdDatabase } from "./helpers/hold-database.ts";
import { runCli, runCliJson, spawnCli } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// `upgrade-database`: a database in DuckDB's older storage format (the Go server's) written again in the format our
// import creates, every row, view and index kept, the original beside it.
setDefaultTimeout(120_000);

const FIXTURES = join(import.meta.dir, "fixtures");

function sessions(): Record<string, string> {
  const home = tempDir("upgrade-home-");
  cpSync(join(FIXTURES, "claude", "2026"), join(home, "claude"), { recursive: true });
  cpSync(join(FIXTURES, "codex", "2026"), join(home, "codex"), { recursive: true });
  mkdirSync(join(home, "gemini"));
  return sessionEnv(join(home, "claude"), join(home, "codex"), join(home, "gemini"));
}

async function storageVersion(db: string): Promise<string> {
  const rows = await query(`ATTACH '${db}' AS d (READ_ONLY); SELECT tags['storage_version']::VARCHAR AS v FROM duckdb_databases() WHERE database_name = 'd'`);
  return String(rows[0]?.v);
}

/** Each table's rows that one database has and the other lacks (as multisets), and the catalogs' statements. */
async function differences(a: string, b: string): Promise<{ rows: Record<string, number>; catalog: string[] }> {
  const catalog = (db: string) =>
    query(
      `ATTACH '${db}' AS d (READ_ONLY);
       SELECT sql FROM duckdb_tables() WHERE database_name = 'd' UNION ALL SELECT sql FROM duckdb_indexes() WHERE database_name = 'd'
       UNION ALL SELECT sql FROM duckdb_views() WHERE database_name = 'd' AND NOT internal ORDER BY 1`,
    ).then((rows) => rows.map((row) => String(row.sql)));
  const [inA, inB] = [await catalog(a), await catalog(b)];
  const tables = (await query(`ATTACH '${a}' AS d (READ_ONLY); SELECT table_name AS t FROM duckdb_tables() WHERE database_name = 'd'`)).map((row) => String(row.t));
  const rows: Record<string, number> = {};
  for (const table of tables) {
    const [counts] = await query(
      `ATTACH '${a}' AS a (READ_ONLY); ATTACH '${b}' AS b (READ_ONLY);
       SELECT (SELECT count(*) FROM (FROM a.${table} EXCEPT ALL FROM b.${table}))::INTEGER + (SELECT count(*) FROM (FROM b.${table} EXCEPT ALL FROM a.${table}))::INTEGER AS n`,
    );
    rows[table] = Number(counts?.n);
  }
  return { rows, catalog: inA.filter((sql) => !inB.includes(sql)).concat(inB.filter((sql) => !inA.includes(sql))) };
}

/** A database the Go server 0.5 made (DuckDB's older format), with our import's rows of the fixtures in it. */
async function goDatabaseWithOurRows(): Promise<{ db: string; env: Record<string, string> }> {
  const db = join(tempDir("upgrade-"), "ai-observer.duckdb");
  await goDatabase(db, "0.5");
  const env = sessions();
  await runCliJson(["import", "all", "--db", db], { env });
  return { db, env };
}

describe("upgrade-database", () => {
  test("writes a Go server's database again in the v1.2 format: the same rows, indexes and views, the original kept", async () => {
    const { db, env } = await goDatabaseWithOurRows();
    const reference = `${db}.reference`;
    copyFileSync(db, reference);
    expect(await storageVersion(db)).toBe("v1.0.0+");

    const result = await runCliJson(["upgrade-database", "--db", db]);
    expect(result).toMatchObject({ command: "upgrade-database", status: "upgraded", database: db, backup: `${db}.before-upgrade`, storage: { before: "v1.0.0+", after: "v1.2.0+" } });
    expect((result.rows as Record<string, number>).otel_logs).toBeGreaterThan(10);
    expect(result.indexes).toBe(25);
    expect(await storageVersion(db)).toBe("v1.2.0+");
    const copied = await differences(reference, db);
    expect(copied.catalog).toEqual([]);
    expect(Object.keys(copied.rows)).toContain("ai_observer_import_events");
    for (const count of Object.values(copied.rows)) expect(count).toBe(0);
    // The original, as it was, beside it; nothing else left in the folder.
    expect(await storageVersion(`${db}.before-upgrade`)).toBe("v1.0.0+");
    expect((await differences(reference, `${db}.before-upgrade`)).rows.otel_metrics).toBe(0);
    expect(readdirSync(join(db, "..")).sort()).toEqual(["ai-observer.duckdb", "ai-observer.duckdb.before-upgrade", "ai-observer.duckdb.import-files.json", "ai-observer.duckdb.reference"]);

    // The upgraded database goes on as before: nothing new to import; a forced import replaces the same rows.
    const again = await runCliJson(["import", "all", "--db", db], { env });
    expect([again.status, again.inserted]).toEqual(["nothing", { logs: 0, metrics: 0 }]);
    const forced = await runCliJson(["import", "all", "--db", db, "--force"], { env });
    expect((forced.inserted as { logs: number }).logs).toBeGreaterThan(0);
    // As into the original: the same rows replaced, the same rows after.
    expect((await runCliJson(["import", "all", "--db", reference, "--force"], { env })).inserted).toEqual(forced.inserted);
    expect((await differences(reference, db)).rows).toMatchObject({ otel_logs: 0, otel_metrics: 0, otel_traces: 0 });
    const second = await runCliJson(["upgrade-database", "--db", db]);
    expect(second).toMatchObject({ status: "current", backup: null, storage: { before: "v1.2.0+", after: "v1.2.0+" } });
  });

  test("an import into a large database in the older format advises the upgrade; into the upgraded one it does not", async () => {
    const db = join(tempDir("upgrade-advice-"), "ai-observer.duckdb");
    await createBigDatabase(db, 500_000);
    const env = sessions();
    const text = await runCli(["import", "all", "--db", db, "--yes"], { env });
    expect([text.exitCode, text.stderr]).toEqual([0, ""]);
    expect(text.stdout).toContain("Tip: this database is in DuckDB's older storage format, where every import rewrites its indexes whole; `ai-observer upgrade-database` makes imports into it fast (README).");
    expect((await runCliJson(["import", "all", "--db", db, "--force"], { env })).upgradeAdvised).toBe(true);
    await runCliJson(["upgrade-database", "--db", db]);
    const after = await runCliJson(["import", "all", "--db", db, "--force"], { env });
    expect([after.status, after.upgradeAdvised]).toEqual(["imported", false]);
  });

  test("a dry run and a refused confirmation change nothing", async () => {
    const db = join(tempDir("upgrade-dry-"), "ai-observer.duckdb");
    await goDatabase(db, "0.4");
    const before = readFileSync(db);
    const dry = await runCli(["upgrade-database", "--db", db, "--dry-run"]);
    expect([dry.exitCode, dry.stderr]).toEqual([0, ""]);
    expect(dry.stdout).toContain("Storage:  DuckDB v1.0.0+ → v1.2.0+");
    expect(dry.stdout).toContain(`The original is kept as ${db}.before-upgrade.`);
    expect(dry.stdout).toContain("Dry run - nothing changed.");
    const unconfirmed = await runCli(["upgrade-database", "--db", db]);
    expect(unconfirmed.exitCode).toBe(3);
    expect(unconfirmed.stderr).toContain("rerun with --yes");
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(readdirSync(join(db, ".."))).toEqual(["ai-observer.duckdb"]);
  });

  test("what a WAL beside the original holds is in the upgraded database, and no WAL is left beside it", async () => {
    const db = join(tempDir("upgrade-wal-"), "ai-observer.duckdb");
    await goDatabase(db, "0.2");
    const instance = await DuckDBInstance.create(db);
    const connection = await instance.connect();
    await connection.run("SET checkpoint_threshold = '1TB'; PRAGMA disable_checkpoint_on_shutdown");
    await connection.run("INSERT INTO otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value) VALUES (TIMESTAMP '2026-07-01 00:00:00', 'claude-code', 'claude_code.cost.usage', 'sum', 4.25)");
    connection.closeSync();
    instance.closeSync();
    expect(existsSync(`${db}.wal`)).toBe(true);
    await runCliJson(["upgrade-database", "--db", db]);
    expect(existsSync(`${db}.wal`)).toBe(false);
    const rows = await query("SELECT count(*)::INTEGER AS n FROM otel_metrics WHERE Value = 4.25", {}, db);
    expect(rows).toEqual([{ n: 1 }]);
  });

  test("leaves what a killed run left no longer in the way: its copy, its link to the original", async () => {
    const db = join(tempDir("upgrade-leftover-"), "ai-observer.duckdb");
    await goDatabase(db, "0.5");
    // A PID that no process has (above Linux's pid_max of 2^22).
    writeFileSync(`${db}.upgrading-99999999-db`, "half a database");
    // Killed between linking the original as its backup and renaming the copy over it.
    linkSync(db, `${db}.before-upgrade`);
    await runCliJson(["upgrade-database", "--db", db]);
    expect(readdirSync(join(db, "..")).sort()).toEqual(["ai-observer.duckdb", "ai-observer.duckdb.before-upgrade"]);
    expect([await storageVersion(db), await storageVersion(`${db}.before-upgrade`)]).toEqual(["v1.2.0+", "v1.0.0+"]);
  });

  test("refuses with one line naming the path: no database, not ours, in use, a file in the backup's way", async () => {
    const folder = tempDir("upgrade-refused-");
    const missing = join(folder, "none.duckdb");
    const notFound = await runCli(["upgrade-database", "--db", missing, "--yes"]);
    expect([notFound.exitCode, notFound.stderr.trim()]).toEqual([1, `error: database not found: ${missing} (give --db PATH or set AI_OBSERVER_DATABASE_PATH)`]);

    const other = join(folder, "other.duckdb");
    const instance = await DuckDBInstance.create(other);
    const connection = await instance.connect();
    await connection.run("CREATE TABLE invoices (id INTEGER)");
    connection.closeSync();
    instance.closeSync();
    const notOurs = await runCli(["upgrade-database", "--db", other, "--yes"]);
    expect(notOurs.exitCode).toBe(1);
    expect(notOurs.stderr.trim()).toBe(`error: not an AI Observer database (no otel_logs, otel_metrics and otel_traces tables): ${other}`);

    const db = join(folder, "ai-observer.duckdb");
    await goDatabase(db, "0.5");
    writeFileSync(`${db}.before-upgrade`, "an earlier backup");
    const inTheWay = await runCli(["upgrade-database", "--db", db, "--yes"]);
    expect([inTheWay.exitCode, inTheWay.stderr.trim()]).toEqual([1, `error: a file is in the way of the original's copy: ${db}.before-upgrade; move or remove it, then run again`]);
    expect(readFileSync(`${db}.before-upgrade`, "utf8")).toBe("an earlier backup");

    const held = await holdDatabase(other);
    try {
      const inUse = await spawnCli(["upgrade-database", "--db", other, "--yes"]);
      expect(inUse.exitCode).toBe(1);
      expect(inUse.stderr).toContain(`database is in use by another process`);
      expect(inUse.stderr).toContain(other);
      expect(inUse.stderr.trim().split("\n")).toHaveLength(1);
    } finally {
      await held.release();
    }
    expect(await storageVersion(db)).toBe("v1.0.0+");
  });
});
