import { beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { createFixtureDatabase, FIXTURE_ROWS } from "./helpers/fixture-db.ts";
import { query } from "./helpers/duckdb-read.ts";
import { runCli } from "./helpers/run-cli.ts";
import { tempDir } from "./helpers/temp.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

let template: string;
let db: string;

async function fixture(): Promise<string> {
  if (!template) {
    template = join(tempDir("delete-template-"), "template.duckdb");
    await createFixtureDatabase(template);
    const instance = await DuckDBInstance.create(template);
    const connection = await instance.connect();
    await connection.run("INSERT INTO import_state (source, file_path, file_hash, imported_at, record_count) VALUES ('claude-code', '/home/me/.claude/projects/p/s.jsonl', 'abc', now(), 3)");
    connection.closeSync();
    instance.closeSync();
  }
  const copy = join(tempDir("delete-"), "ai-observer.duckdb");
  copyFileSync(template, copy);
  return copy;
}

beforeEach(async () => {
  db = await fixture();
}, 60_000);

async function counts(path: string): Promise<Record<string, number>> {
  const rows = await query(
    `SELECT (SELECT count(*) FROM otel_logs)::INTEGER AS logs, (SELECT count(*) FROM otel_metrics)::INTEGER AS metrics,
            (SELECT count(*) FROM otel_traces)::INTEGER AS spans, (SELECT count(*) FROM import_state)::INTEGER AS import_state`,
    {},
    path,
  );
  return rows[0] as Record<string, number>;
}

const n = FIXTURE_ROWS.length;
const day1 = FIXTURE_ROWS.filter((r) => r.timestamp.startsWith("2025-01-01")).length;
const day2Codex = FIXTURE_ROWS.filter((r) => r.timestamp.startsWith("2025-01-02") && r.service === "codex_cli_rs").length;

describe("delete", () => {
  test.each([
    ["logs", { logs: n - day1, metrics: n, spans: n }],
    ["metrics", { logs: n, metrics: n - day1, spans: n }],
    ["traces", { logs: n, metrics: n, spans: n - day1 }],
    ["ALL", { logs: n - day1, metrics: n - day1, spans: n - day1 }],
  ])("%s removes the day's rows of its tables and keeps import_state", async (scope, remaining) => {
    const run = await runCli(["delete", scope, "--from", "2025-01-01", "--to", "2025-01-01", "--db", db, "--yes"]);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("Deletion complete:");
    expect(await counts(db)).toEqual({ ...remaining, import_state: 1 });
  });

  test("flags before the scope, --service as a tool id, text as the Go original with separators", async () => {
    const run = await runCli(["delete", "--service", "codex", "--to", "2025-01-02", "--from", "2025-01-02", "--db", db, "--yes", "all"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(
      `Delete Summary\n==============\nTime range: 2025-01-02 to 2025-01-02\nService: codex_cli_rs\n\nRecords to be deleted:\n  Logs:    ${day2Codex}\n  Metrics: ${day2Codex}\n  Traces:  ${day2Codex} (spans: ${day2Codex})\n`,
    );
    expect(run.stdout).toContain(`Deletion complete:\n  Logs deleted:    ${day2Codex}\n  Metrics deleted: ${day2Codex}\n  Spans deleted:   ${day2Codex}\n`);
    expect((await counts(db)).logs).toBe(n - day2Codex);
  });

  test("--service accepts a stored service name, also one beyond the three agents", async () => {
    const run = await runCli(["delete", "logs", "--month", "2025-01", "--service", "other-service", "--db", db, "--yes", "--json"]);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ command: "delete", status: "deleted", service: "other-service", deleted: { logs: 1 } });
  });

  test("an unknown service is a usage error and nothing is deleted", async () => {
    const run = await runCli(["delete", "all", "--from", "2025-01-01", "--to", "2025-01-31", "--service", "claude", "--db", db, "--yes"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toStartWith("error: unknown tool/service: claude");
    expect((await counts(db)).logs).toBe(n);
  });

  test("without a terminal and without --yes: exit 3, nothing deleted", async () => {
    const run = await runCli(["delete", "all", "--from", "2025-01-01", "--to", "2025-01-31", "--db", db]);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain("--yes");
    expect(await counts(db)).toEqual({ logs: n, metrics: n, spans: n, import_state: 1 });
  });

  test("--dry-run deletes nothing; --json reports counts", async () => {
    const run = await runCli(["delete", "all", "--from", "2025-01-01", "--to", "2025-01-31", "--db", db, "--dry-run", "--json"]);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "dry-run", counts: { logs: n, metrics: n, spans: n, traces: n } });
    expect((await counts(db)).logs).toBe(n);
  });

  test("an empty range says so and exits 0", async () => {
    const run = await runCli(["delete", "all", "--from", "2030-01-01", "--to", "2030-01-01", "--db", db, "--yes"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe("No records found in the specified time range.\n");
  });

  test.each([
    [["delete", "all", "--from", "2025-01-01"], "--from and --to"],
    [["delete", "--from", "2025-01-01", "--to", "2025-01-02"], "scope argument is required"],
    [["delete", "everything", "--from", "2025-01-01", "--to", "2025-01-02"], "invalid scope: everything"],
    [["delete", "all", "--from", "2025-01-03", "--to", "2025-01-02"], "--from date must not be after --to date"],
    [["delete", "all", "--month", "last", "--to", "2025-01-02"], "--month cannot be combined"],
  ])("%p is a usage error", async (args, message) => {
    const run = await runCli([...args, "--db", db, "--yes"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect((await counts(db)).logs).toBe(n);
  });

  test("a missing database is an error and is not created", async () => {
    const missing = join(tempDir(), "missing.duckdb");
    const run = await runCli(["delete", "all", "--month", "2025-01", "--db", missing, "--yes"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toStartWith("error: database not found");
  });
});

async function expectDeletedExactlyArchived(before: string, after: string, archiveDir: string): Promise<void> {
  for (const [table, file] of [["otel_traces", "traces"], ["otel_logs", "logs"], ["otel_metrics", "metrics"]]) {
    const parquet = join(archiveDir, `${file}.parquet`);
    const diff = await query(
      `ATTACH '${before}' AS b (READ_ONLY); ATTACH '${after}' AS a (READ_ONLY);
       CREATE TEMP TABLE gone AS SELECT * FROM b.${table} EXCEPT ALL SELECT * FROM a.${table};
       SELECT (SELECT count(*) FROM gone)::INTEGER AS gone,
              (SELECT count(*) FROM (SELECT * FROM gone EXCEPT ALL SELECT * FROM read_parquet('${parquet}')))::INTEGER AS gone_not_archived,
              (SELECT count(*) FROM (SELECT * FROM read_parquet('${parquet}') EXCEPT ALL SELECT * FROM gone))::INTEGER AS archived_not_gone`,
    );
    expect(diff[0]?.gone).toBeGreaterThan(0);
    expect(diff[0]).toMatchObject({ gone_not_archived: 0, archived_not_gone: 0 });
  }
}

describe("archive, then delete", () => {
  test("export --zip --delete-after deletes exactly the archived rows, in one step", async () => {
    const before = join(tempDir(), "before.duckdb");
    copyFileSync(db, before);
    const out = tempDir("archive-");
    const run = await runCli(["export", "all", "--month", "2025-01", "--zip", "--delete-after", "--yes", "--json", "--db", db, "--output", out]);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.deleted).toEqual(result.counts);
    const unzipped = tempDir("unzipped-");
    expect(Bun.spawnSync(["unzip", "-q", join(out, "ai-observer-export-all-2025-01-01-2025-01-31.zip"), "-d", unzipped]).exitCode).toBe(0);
    await expectDeletedExactlyArchived(before, db, unzipped);
    expect((await counts(db)).import_state).toBe(1);
  });

  test("--delete-after without --zip re-reads the Parquet files and deletes the same rows", async () => {
    const before = join(tempDir(), "before.duckdb");
    copyFileSync(db, before);
    const out = tempDir("archive-");
    const run = await runCli(["export", "codex", "--from", "2025-01-01", "--to", "2025-01-02", "--delete-after", "--yes", "--db", db, "--output", out]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("Re-reading the archive... done");
    expect(run.stdout).toContain(`Deleted from the database: ${day2Codex} spans, ${day2Codex} logs, ${day2Codex} metrics`);
    await expectDeletedExactlyArchived(before, db, out);
  });

  test.each([
    [["--delete-after"], "never deletes an open-ended range"],
    [["--delete-after", "--from", "2025-01-01"], "never deletes an open-ended range"],
    [["--delete-after", "--month", "2025-01", "--from-files"], "cannot be used with --from-files"],
  ])("export %p is a usage error", async (flags, message) => {
    const run = await runCli(["export", "all", ...flags, "--yes", "--db", db, "--output", tempDir()]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
  });

  test("delete removes exactly the rows in the archive, row for row", async () => {
    const before = join(tempDir(), "before.duckdb");
    copyFileSync(db, before);
    const out = tempDir("archive-");
    const exported = await runCli(["export", "all", "--from", "2025-01-02", "--to", "2025-01-03", "--zip", "--yes", "--db", db, "--output", out]);
    expect(exported.exitCode).toBe(0);
    const deleted = await runCli(["delete", "all", "--from", "2025-01-02", "--to", "2025-01-03", "--yes", "--db", db]);
    expect(deleted.exitCode).toBe(0);

    const unzipped = tempDir("unzipped-");
    expect(Bun.spawnSync(["unzip", "-q", join(out, "ai-observer-export-all-2025-01-02-2025-01-03.zip"), "-d", unzipped]).exitCode).toBe(0);
    await expectDeletedExactlyArchived(before, db, unzipped);
  });
});
