import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { partitionFiles } from "../src/archive/lake-files.ts";
import { writeNewDatabase } from "../src/db/new-database.ts";
import { query, queryViewsDatabase } from "./helpers/duckdb-read.ts";
import { runCli, runCliJson } from "./helpers/run-cli.ts";
import { tempDir } from "./helpers/temp.ts";

// export --layout hive: a lake of Hive partitions that monthly exports grow, read as one table.
setDefaultTimeout(120_000);

/** Three months (2026-01 to 2026-03) of usage rows by two services, a log and two metric rows a request. */
async function threeMonths(path: string): Promise<void> {
  await writeNewDatabase(path, async (connection) => {
    const requests = `SELECT i, TIMESTAMP '2026-01-01 08:00:00' + INTERVAL (i % 90) DAY + INTERVAL (i * 7 % 600) MINUTE AS ts,
                             CASE WHEN i % 3 = 0 THEN 'codex_cli_rs' ELSE 'claude-code' END AS service FROM range(900) t(i)`;
    await connection.run(`INSERT INTO otel_logs (Timestamp, TraceFlags, SeverityText, SeverityNumber, ServiceName, Body, ResourceAttributes, LogAttributes)
      SELECT ts, 0, 'INFO', 9, service, 'api_request', '{}', json_object('event.name', 'api_request', 'n', i)::VARCHAR FROM (${requests})`);
    for (const [type, factor] of [["input", 3], ["output", 1]] as const) {
      await connection.run(`INSERT INTO otel_metrics (Timestamp, ServiceName, MetricName, ResourceAttributes, Attributes, MetricType, Value)
        SELECT ts, service, replace(service, '-', '_') || '.token.usage', '{}', json_object('type', '${type}', 'model', 'm', 'n', i)::VARCHAR, 'sum', (i % 97 + 1) * ${factor}
        FROM (${requests})`);
    }
  });
}

const ok = (args: string[]) => runCliJson(args);

/** Each partition file's content hash and inode, by name. */
function fingerprints(lake: string): Map<string, string> {
  return new Map(partitionFiles(lake).map((file) => {
    const path = join(lake, file.name);
    return [file.name, `${new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex")}:${statSync(path).ino}`];
  }));
}

const tableCounts = (db: string) =>
  query("SELECT (SELECT count(*) FROM otel_logs)::INTEGER AS logs, (SELECT count(*) FROM otel_metrics)::INTEGER AS metrics, (SELECT sum(Value) FROM otel_metrics)::BIGINT AS tokens", {}, db);

describe("export --layout hive", () => {
  test("three monthly exports grow one lake that DuckDB and hyparquet read as one table; re-exporting a month changes only its partitions", async () => {
    const root = tempDir("lake-");
    const db = join(root, "history.duckdb");
    await threeMonths(db);
    const lake = join(root, "team lake");
    for (const month of ["2026-01", "2026-02", "2026-03"]) {
      const result = await ok(["export", "all", "--db", db, "--month", month, "--layout", "hive", "--output", lake]);
      expect(result).toMatchObject({ status: "exported", layout: "hive", lake: { replaced: 0, removed: 0 } });
    }
    const [expected] = await tableCounts(db);

    // DuckDB, with the partition columns from the paths: every row once, in the partition of its service and day.
    const [lakeCounts] = await query(
      `SELECT (SELECT count(*) FROM read_parquet($logs, hive_partitioning = true))::INTEGER AS logs,
              (SELECT count(*) FROM read_parquet($metrics, hive_partitioning = true))::INTEGER AS metrics,
              (SELECT sum(Value) FROM read_parquet($metrics, hive_partitioning = true))::BIGINT AS tokens,
              (SELECT count(*) FROM read_parquet($metrics, hive_partitioning = true) WHERE service <> ServiceName OR date <> Timestamp::DATE)::INTEGER AS misplaced`,
      { logs: join(lake, "logs/*/*/*.parquet"), metrics: join(lake, "metrics/*/*/*.parquet") },
    );
    expect(lakeCounts).toEqual({ ...expected, misplaced: 0 });
    // The same columns and types as a flat export's files (the partition values are in the paths only).
    const flat = join(root, "flat");
    await ok(["export", "all", "--db", db, "--output", flat]);
    const columns = (file: string) => query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($file, hive_partitioning = false))", { file });
    const [oneFile] = partitionFiles(lake).filter((file) => file.table === "metrics");
    expect(await columns(join(lake, oneFile?.name ?? "none"))).toEqual(await columns(join(flat, "metrics.parquet")));

    // hyparquet, file by file, the partition values taken from the paths.
    let rows = 0;
    let tokens = 0;
    for (const file of partitionFiles(lake).filter((each) => each.table === "metrics")) {
      const objects = await parquetReadObjects({ file: await asyncBufferFromFile(join(lake, file.name)), compressors, utf8: true });
      for (const row of objects) {
        expect([row.ServiceName, (row.Timestamp as Date).toISOString().slice(0, 10)]).toEqual([file.service, file.date]);
        tokens += Number(row.Value);
      }
      rows += objects.length;
    }
    expect({ rows, tokens: BigInt(tokens) }).toEqual({ rows: expected?.metrics as number, tokens: expected?.tokens as bigint });

    // The lake's views database, opened in the lake's folder, and `report` from anywhere.
    const viewed = queryViewsDatabase(lake, "ai-observer-lake.duckdb", "SELECT (SELECT count(*) FROM logs), (SELECT count(*) FROM metrics), (SELECT count(*) FROM traces)");
    expect(viewed.row).toEqual([expected?.logs as number, expected?.metrics as number, 0]);
    const fromLake = JSON.parse((await runCli(["report", "monthly", "--in", lake, "--json"])).stdout);
    const fromDb = JSON.parse((await runCli(["report", "monthly", "--db", db, "--json"])).stdout);
    expect(fromLake.rows).toEqual(fromDb.rows);
    expect(fromLake.rows.map((row: { month: string }) => row.month)).toEqual(["2026-01", "2026-02", "2026-03"]);

    // February again, after some of its days were deleted: only February's partitions change; the deleted days' go.
    const before = fingerprints(lake);
    await ok(["delete", "all", "--from", "2026-02-10", "--to", "2026-02-12", "--db", db]);
    const again = await ok(["export", "all", "--db", db, "--month", "2026-02", "--layout", "hive", "--output", lake]);
    const after = fingerprints(lake);
    const february = (name: string) => name.includes("date=2026-02-");
    for (const [name, print] of before) {
      if (!february(name)) expect([name, after.get(name)]).toEqual([name, print]);
    }
    const gone = [...before.keys()].filter((name) => !after.has(name));
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.every((name) => /date=2026-02-1[0-2]\//.test(name))).toBe(true);
    expect((again.lake as { removed: number }).removed).toBe(gone.length);
    const [now] = await tableCounts(db);
    const [reread] = await query("SELECT count(*)::INTEGER AS metrics FROM read_parquet($metrics, hive_partitioning = true)", { metrics: join(lake, "metrics/*/*/*.parquet") });
    expect(reread?.metrics).toBe(now?.metrics);
    expect(relative(lake, lake)).toBe("");
  });

  test("--delete-after never replaces partitions, and no later export replaces the ones it wrote", async () => {
    const root = tempDir("lake-delete-");
    const db = join(root, "history.duckdb");
    await threeMonths(db);
    const lake = join(root, "lake");
    const first = await ok(["export", "claude-code", "--db", db, "--month", "2026-01", "--layout", "hive", "--output", lake, "--delete-after"]);
    expect((first.deleted as { metrics: number }).metrics).toBeGreaterThan(0);
    const [left] = await query("SELECT count(*)::INTEGER AS n FROM otel_metrics WHERE ServiceName = 'claude-code' AND Timestamp < '2026-02-01'", {}, db);
    expect(left?.n).toBe(0);
    // Codex's January may still go in beside it; then no --delete-after export replaces it, and Claude's January is
    // replaced by no export at all.
    await ok(["export", "codex", "--db", db, "--month", "2026-01", "--layout", "hive", "--output", lake]);
    const codexAgain = await runCli(["export", "codex", "--db", db, "--month", "2026-01", "--layout", "hive", "--output", lake, "--delete-after", "--yes"]);
    expect(codexAgain.exitCode).toBe(1);
    expect(codexAgain.stderr).toMatch(/^error: .*service=codex_cli_rs\/date=2026-01-\d\d\/data_0\.parquet exists already, and --delete-after never replaces a file/);
    const replace = await runCli(["export", "all", "--db", db, "--month", "2026-01", "--layout", "hive", "--output", lake, "--yes"]);
    expect(replace.exitCode).toBe(1);
    expect(replace.stderr).toMatch(/^error: .*logs\/service=claude-code\/date=2026-01-\d\d\/data_0\.parquet holds rows that an earlier --delete-after deleted from the database, so no export replaces it/);
  });

  test("a lake under a folder named with glob characters is read by its files' names", async () => {
    const root = join(tempDir("lake-glob-"), "team [1] *");
    const db = join(tempDir("lake-glob-db-"), "history.duckdb");
    await threeMonths(db);
    await ok(["export", "all", "--db", db, "--month", "2026-02", "--layout", "hive", "--output", root]);
    const fromLake = JSON.parse((await runCli(["report", "monthly", "--in", root, "--json"])).stdout);
    const fromDb = JSON.parse((await runCli(["report", "monthly", "--db", db, "--month", "2026-02", "--json"])).stdout);
    expect(fromLake.rows).toEqual(fromDb.rows);
    expect(fromLake.rows).toHaveLength(1);
  });

  test("usage errors: --layout with --zip, an unknown layout", async () => {
    const out = join(tempDir("lake-usage-"), "out");
    const zip = await runCli(["export", "all", "--db", join(out, "x.duckdb"), "--layout", "hive", "--zip", "--output", out, "--yes"]);
    expect([zip.exitCode, zip.stderr]).toEqual([2, "error: --layout hive grows a folder of partitions; it cannot be packed with --zip\n"]);
    const unknown = await runCli(["export", "all", "--db", join(out, "x.duckdb"), "--layout", "delta", "--output", out, "--yes"]);
    expect([unknown.exitCode, unknown.stderr]).toEqual([2, "error: invalid --layout: delta (valid: flat, hive)\n"]);
  });
});
