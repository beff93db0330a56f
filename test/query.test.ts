import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { query } from "./helpers/duckdb-read.ts";
import { goDatabase } from "./helpers/go-database.ts";
import { CLI_TMP, runCli } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// `ai-observer query` and `ai-observer report`: the same numbers from a database, an export folder, its views database
// (from another working folder) and an export ZIP.
setDefaultTimeout(120_000);

const FIXTURES = join(import.meta.dir, "fixtures");
let db = "";
let folder = "";
let zip = "";
let lake = "";

type ReportJson = { rows: Record<string, number | string>[]; totals: Record<string, number> };

async function reportJson(args: string[], cwd?: string): Promise<ReportJson> {
  const run = await runCli(["report", ...args, "--json"], { cwd });
  expect([run.exitCode, run.stderr]).toEqual([0, ""]);
  return JSON.parse(run.stdout) as ReportJson;
}

beforeAll(async () => {
  const root = tempDir("query-");
  db = join(root, "history.duckdb");
  const env = sessionEnv(join(FIXTURES, "claude", "projects"), join(FIXTURES, "codex", "sessions"), join(FIXTURES, "gemini", "tmp"));
  expect((await runCli(["import", "all", "--db", db, "--yes"], { env })).exitCode).toBe(0);
  folder = join(root, "it's an export");
  expect((await runCli(["export", "all", "--db", db, "--output", folder, "--yes"])).exitCode).toBe(0);
  const zipped = join(root, "zipped");
  expect((await runCli(["export", "all", "--db", db, "--output", zipped, "--zip", "--yes"])).exitCode).toBe(0);
  zip = join(zipped, "ai-observer-export-all-all.zip");
  lake = join(root, "lake");
  for (const month of ["2025-12", "2026-01"]) {
    expect((await runCli(["export", "all", "--db", db, "--month", month, "--layout", "hive", "--output", lake, "--yes"])).exitCode).toBe(0);
  }
});

describe("report", () => {
  test("tokens per model, each counted once, as the fixtures hold them", async () => {
    const report = await reportJson(["models", "--db", db]);
    const byModel = Object.fromEntries(report.rows.map((row) => [row.model, row]));
    // Claude (fixtures claude/projects): input 155, output 313, 1,000 written to and 2,000 read from the cache.
    expect(byModel["claude-sonnet-4-5-20250929"]).toMatchObject({ input: 155, output: 313, cache_write: 1000, cache_read: 2000, total_tokens: 3468 });
    // Codex input rows include the cached part and output the reasoning; Gemini input includes cached, thoughts and
    // tool-use tokens are their own rows: the totals are the sums of the rows that hold every token once.
    const sums = await query(
      `SELECT ServiceName AS service, sum(Value)::INTEGER AS tokens FROM otel_metrics
       WHERE MetricName LIKE '%.token.usage' AND json_extract_string(Attributes, '$.type') IN ('input', 'output', 'thoughts', 'tool')
       GROUP BY ALL ORDER BY ALL`,
      {},
      db,
    );
    const total = (service: string) => report.rows.filter((row) => row.services === service).reduce((sum, row) => sum + Number(row.total_tokens), 0);
    for (const { service, tokens } of sums as { service: string; tokens: number }[]) {
      if (service !== "claude-code") expect(total(service)).toBe(tokens);
    }
    const cost = await query("SELECT round(sum(Value), 6) AS usd FROM otel_metrics WHERE MetricName LIKE '%.cost.usage'", {}, db);
    expect(report.totals.cost_usd).toBeCloseTo(Number(cost[0]?.usd), 6);
    expect(report.totals.total_tokens).toBe(report.rows.reduce((sum, row) => sum + Number(row.total_tokens), 0));
  });

  test("the same numbers from the database, the export folder, its views database from elsewhere, the ZIP and a lake", async () => {
    const elsewhere = tempDir("query-cwd-");
    for (const name of ["daily", "monthly", "models", "projects", "hosts", "sessions"]) {
      const fromDb = await reportJson([name, "--db", db]);
      expect(fromDb.rows.length).toBeGreaterThan(0);
      for (const input of [folder, join(folder, "ai-observer-export-all-all.duckdb"), zip, lake, join(lake, "ai-observer-lake.duckdb")]) {
        const other = await reportJson([name, "--in", input], elsewhere);
        expect([name, other.rows, other.totals]).toEqual([name, fromDb.rows, fromDb.totals]);
      }
    }
    expect(readdirSync(CLI_TMP).filter((entry) => entry.startsWith("ai-observer-archive-"))).toEqual([]);
  });

  test("--from, --to and --service narrow it; the table has a total line", async () => {
    const day = await reportJson(["daily", "--db", db, "--from", "2026-01-03", "--to", "2026-01-03"]);
    expect(day.rows.map((row) => row.day)).toEqual(["2026-01-03"]);
    const claude = await reportJson(["daily", "--db", db, "--service", "claude-code"]);
    expect(new Set(claude.rows.map((row) => row.services))).toEqual(new Set(["claude-code"]));
    expect(claude.totals.total_tokens).toBe(3468);
    const table = await runCli(["report", "models", "--db", db, "--service", "claude-code"]);
    expect(table.exitCode).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^model\s+services\s+input\s+output\s+cache_write\s+cache_read\s+total_tokens\s+cost_usd$/);
    expect(lines.at(-1)).toMatch(/^Total\s+155\s+313\s+1,000\s+2,000\s+3,468\s+\$\d+\.\d\d$/);
  });

  test("a database written the way Go 0.5 leaves it", async () => {
    const goDb = join(tempDir("query-go-"), "go.duckdb");
    await goDatabase(goDb, "0.5");
    const tokens = await query("SELECT coalesce(sum(Value), 0)::INTEGER AS n FROM otel_metrics WHERE MetricName = 'claude_code.token.usage'", {}, goDb);
    const report = await reportJson(["monthly", "--db", goDb, "--service", "claude-code"]);
    expect(tokens[0]?.n).toBeGreaterThan(0);
    expect(report.totals.total_tokens).toBe(tokens[0]?.n as number);
  });

  test("an unknown report is a usage error", async () => {
    const run = await runCli(["report", "weekly", "--db", db]);
    expect([run.exitCode, run.stderr]).toEqual([2, "error: unknown report: weekly (valid: daily, monthly, models, projects, hosts, sessions)\n"]);
  });
});

describe("query", () => {
  test("a table, CSV and JSON, from any folder", async () => {
    const sql = "SELECT ServiceName, count(*) AS n FROM logs GROUP BY ALL ORDER BY ServiceName";
    const expected = await query(`SELECT ServiceName, count(*)::INTEGER AS n FROM otel_logs GROUP BY ALL ORDER BY ServiceName`, {}, db);
    const json = await runCli(["query", sql, "--in", zip, "--json"], { cwd: tempDir("query-cwd-") });
    expect([json.exitCode, json.stderr]).toEqual([0, ""]);
    const parsed = JSON.parse(json.stdout) as { rows: unknown[]; rowCount: number; columns: { name: string; type: string }[] };
    expect(parsed.rows).toEqual(expected);
    expect(parsed.rowCount).toBe(expected.length);
    expect(parsed.columns).toEqual([
      { name: "ServiceName", type: "VARCHAR" },
      { name: "n", type: "BIGINT" },
    ]);
    const csv = await runCli(["query", sql, "--in", folder, "--format", "csv"]);
    expect(csv.stdout).toBe(`ServiceName,n\r\n${expected.map((row) => `${row.ServiceName},${row.n}`).join("\r\n")}\r\n`);
    const table = await runCli(["query", sql, "--db", db]);
    expect(table.stdout.split("\n")[0]).toMatch(/^ServiceName\s+n$/);
    expect(table.stdout).toContain(`(${expected.length} rows)`);
  });

  test("values that need quoting, nulls, large integers and lists", async () => {
    const sql = `SELECT 'a,"b"' AS s, NULL AS n, 12345678901234567890::HUGEINT AS h, 2::BIGINT AS b, [1, 2] AS l, 'x' AS s`;
    const csv = await runCli(["query", sql, "--db", db, "--format", "csv"]);
    expect(csv.stdout).toBe('s,n,h,b,l,s\r\n"a,""b""",,12345678901234567890,2,"[1,2]",x\r\n');
    const json = await runCli(["query", sql, "--db", db, "--json"]);
    expect((JSON.parse(json.stdout) as { rows: unknown[] }).rows).toEqual([{ s: 'a,"b"', n: null, h: "12345678901234567890", b: 2, l: [1, 2], s_2: "x" }]);
  });

  test("the SQL from stdin with -", async () => {
    const run = await runCli(["query", "-", "--in", folder, "--format", "csv"], { stdin: "SELECT count(*) AS n FROM metrics" });
    const expected = await query("SELECT count(*)::INTEGER AS n FROM otel_metrics", {}, db);
    expect([run.exitCode, run.stdout]).toEqual([0, `n\r\n${expected[0]?.n}\r\n`]);
  });

  test("bad input: one line naming the path or the SQL's fault, nothing left behind", async () => {
    const root = tempDir("query-bad-");
    const foreignZip = join(root, "photos.zip");
    writeFileSync(join(root, "notes.txt"), "hello");
    const notes = await runCli(["query", "SELECT 1", "--in", join(root, "notes.txt")]);
    expect([notes.exitCode, notes.stderr]).toEqual([1, `error: not an AI Observer database, export folder or export ZIP: ${join(root, "notes.txt")}\n`]);
    const { writeZip } = await import("../src/export/zip.ts");
    await writeZip(foreignZip, [{ path: join(root, "notes.txt"), name: "notes.txt" }]);
    const foreign = await runCli(["query", "SELECT 1", "--in", foreignZip]);
    expect([foreign.exitCode, foreign.stderr]).toEqual([1, `error: not an export ZIP (traces.parquet, logs.parquet, metrics.parquet missing): ${foreignZip}\n`]);
    const empty = join(root, "empty");
    mkdirSync(empty);
    const notExport = await runCli(["query", "SELECT 1", "--in", empty]);
    expect(notExport.stderr).toBe(`error: not an export folder or lake (no traces.parquet, logs.parquet or metrics.parquet, no partitions in it): ${empty}\n`);
    const missing = await runCli(["query", "SELECT 1", "--in", join(root, "gone")]);
    expect([missing.exitCode, missing.stderr]).toEqual([1, `error: no such file or folder: ${join(root, "gone")}\n`]);
    const sql = await runCli(["query", "SELEC 1", "--in", zip]);
    expect([sql.exitCode, sql.stderr]).toEqual([1, 'error: query failed: Parser Error: syntax error at or near "SELEC"\n']);
    const none = await runCli(["query", "--db", db]);
    expect(none.exitCode).toBe(2);
    const both = await runCli(["query", "SELECT 1", "--db", db, "--in", folder]);
    expect([both.exitCode, both.stderr]).toEqual([2, "error: give --in (an archive or database) or --db, not both\n"]);
    expect(readdirSync(CLI_TMP).filter((entry) => entry.startsWith("ai-observer-archive-"))).toEqual([]);
  });
});
