import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parquetRowCount, query } from "./helpers/duckdb-read.ts";
import { goDatabase, type GoVersion, WATCH_STATE, WATCHED_FILE } from "./helpers/go-database.ts";
import { runCli } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// Every command on databases as the Go AI Observer 0.2, 0.4 and 0.5 leave them (go-reference-2026 §1, §3.4-3.5).
setDefaultTimeout(120_000);

const FIXTURES = join(import.meta.dir, "fixtures");

function claudeSessions(): Record<string, string> {
  const home = tempDir("go-db-home-");
  cpSync(join(FIXTURES, "claude", "2026"), join(home, "claude"), { recursive: true });
  mkdirSync(join(home, "codex"));
  mkdirSync(join(home, "gemini"));
  return sessionEnv(join(home, "claude"), join(home, "codex"), join(home, "gemini"));
}

async function importStateColumns(db: string): Promise<string[]> {
  const rows = await query("SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'import_state' ORDER BY ordinal_position", {}, db);
  return rows.map((row) => String(row.c));
}

const GO_02_COLUMNS = ["source", "file_path", "file_hash", "imported_at", "record_count"];
const GO_04_COLUMNS = [...GO_02_COLUMNS, "byte_offset", "message_count", "parser_state"];

describe.each(["0.2", "0.4", "0.5"] as GoVersion[])("a database Go %s left", (version) => {
  async function database(): Promise<string> {
    const db = join(tempDir(`go-${version}-`), "ai-observer.duckdb");
    await goDatabase(db, version);
    return db;
  }

  test("import adds the session files' rows and records them in import_state in the shape the database has", async () => {
    const db = await database();
    const run = await runCli(["import", "all", "--db", db, "--yes", "--json"], { env: claudeSessions() });
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    expect(JSON.parse(run.stdout).totals.files.new).toBe(3);
    expect(await importStateColumns(db)).toEqual(version === "0.2" ? GO_02_COLUMNS : GO_04_COLUMNS);
    const ours = await query(`SELECT * EXCLUDE (file_path, file_hash, imported_at) FROM import_state WHERE file_path LIKE '%aaaaaaaa-%' ORDER BY file_path`, {}, db);
    expect(ours).toHaveLength(3);
    // As Go's full import writes them: a watcher then takes each file as imported to its end.
    for (const row of ours) expect(row).toEqual(version === "0.2" ? { source: "claude-code", record_count: expect.any(Number) } : { source: "claude-code", record_count: expect.any(Number), byte_offset: 0n, message_count: 0, parser_state: "" });
    if (version !== "0.2") {
      const watched = await query("SELECT byte_offset, message_count, parser_state FROM import_state WHERE file_path = $path", { path: WATCHED_FILE }, db);
      expect(watched).toEqual([{ byte_offset: 4096n, message_count: 7, parser_state: WATCH_STATE }]);
    }
    // The Go rows are still there, beside ours.
    const counts = await query("SELECT count(*)::INTEGER AS n FROM otel_metrics WHERE Attributes NOT LIKE '%import.key%'", {}, db);
    expect(counts).toEqual([{ n: version === "0.5" ? 4 : 1 }]);
  });

  test("export all writes every row; delete removes a range and leaves import_state alone", async () => {
    const db = await database();
    const out = join(tempDir(`go-${version}-out-`), "out");
    const exported = await runCli(["export", "all", "--db", db, "--output", out, "--yes"]);
    expect([exported.exitCode, exported.stderr]).toEqual([0, ""]);
    const tables = await query("SELECT (SELECT count(*) FROM otel_logs)::INTEGER AS logs, (SELECT count(*) FROM otel_metrics)::INTEGER AS metrics", {}, db);
    expect(await parquetRowCount(join(out, "logs.parquet"))).toBe(Number(tables[0]?.logs));
    expect(await parquetRowCount(join(out, "metrics.parquet"))).toBe(Number(tables[0]?.metrics));

    const stateBefore = await query("SELECT * FROM import_state ORDER BY file_path", {}, db);
    const deleted = await runCli(["delete", "all", "--from", "2026-06-01", "--to", "2026-06-30", "--db", db, "--yes", "--json"]);
    expect([deleted.exitCode, deleted.stderr]).toEqual([0, ""]);
    const left = await query("SELECT (SELECT count(*) FROM otel_logs)::INTEGER + (SELECT count(*) FROM otel_metrics)::INTEGER AS n", {}, db);
    expect(left).toEqual([{ n: 0 }]);
    expect(await query("SELECT * FROM import_state ORDER BY file_path", {}, db)).toEqual(stateBefore);
  });
});

describe("sources Go 0.5 receives only over OTLP", () => {
  test.each([
    ["opencode", 100],
    ["github-copilot", 50],
    ["copilot-chat", 25],
  ])("export %s writes its rows only; delete --service %s removes them", async (source, value) => {
    const db = join(tempDir("go-otlp-"), "ai-observer.duckdb");
    await goDatabase(db, "0.5");
    const out = join(tempDir("go-otlp-out-"), "out");
    const exported = await runCli(["export", source, "--db", db, "--output", out, "--yes"]);
    expect([exported.exitCode, exported.stderr]).toEqual([0, ""]);
    expect(await query(`SELECT ServiceName AS service, Value AS value FROM read_parquet('${join(out, "metrics.parquet")}')`)).toEqual([{ service: source, value }]);
    const deleted = await runCli(["delete", "metrics", "--service", source, "--from", "2026-06-20", "--to", "2026-06-20", "--db", db, "--yes", "--json"]);
    expect([deleted.exitCode, deleted.stderr]).toEqual([0, ""]);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ service: source, deleted: { metrics: 1 } });
    expect(await query("SELECT count(*)::INTEGER AS n FROM otel_metrics WHERE ServiceName = $s", { s: source }, db)).toEqual([{ n: 0 }]);
  });

  test.each([
    [["export", "opencode", "--from-files", "--output", "x", "--yes"], "from-files export is not supported for opencode because OpenCode is OTLP-only"],
    [["export", "copilot-chat", "--from-files", "--output", "x", "--yes"], "from-files export is not supported for copilot-chat because GitHub Copilot is OTLP-only"],
    [["import", "github-copilot", "--yes"], "import is not supported for github-copilot because GitHub Copilot is OTLP-only"],
  ])("%p is a usage error", async (args, message) => {
    const run = await runCli([...args, "--db", join(tempDir("go-otlp-usage-"), "none.duckdb")]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toStartWith(`error: ${message}`);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

describe("the database import creates is what Go 0.5 creates", () => {
  test("import_state with the watch columns and their defaults; the 25 indexes", async () => {
    const db = join(tempDir("go-new-"), "ai-observer.duckdb");
    const run = await runCli(["import", "all", "--db", db, "--yes"], { env: claudeSessions() });
    expect(run.exitCode).toBe(0);
    expect(await importStateColumns(db)).toEqual(GO_04_COLUMNS);
    const indexes = await query("SELECT count(*)::INTEGER AS n FROM duckdb_indexes() WHERE index_name LIKE 'idx_%'", {}, db);
    expect(indexes).toEqual([{ n: 25 }]);
  });
});

describe("flags as the Go AI Observer takes them", () => {
  test("long flags with one dash (-output DIR, -from=DATE) work as with two", async () => {
    const db = join(tempDir("go-flags-"), "ai-observer.duckdb");
    await goDatabase(db, "0.5");
    const out = join(tempDir("go-flags-out-"), "out");
    const run = await runCli(["export", "opencode", "-db", db, "-output", out, "-from=2026-06-01", "-to", "2026-06-30", "-yes", "-json"]);
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    expect(JSON.parse(run.stdout)).toMatchObject({ source: "opencode", range: { from: "2026-06-01", to: "2026-06-30" }, counts: { metrics: 1 } });
  });

  test.each([
    [["export", "all", "--output", "x", "--pricing-mode", "calculate"], "unknown option: --pricing-mode (see ai-observer export --help)"],
    [["import", "all", "-skip-confirm"], "unknown option: -skip-confirm (see ai-observer import --help)"],
    [["delete", "all", "--purge"], "unknown option: --purge (see ai-observer delete --help)"],
  ])("an unknown flag is reported as typed: %p", async (args, message) => {
    const run = await runCli(args);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(`error: ${message}\n`);
  });
});
