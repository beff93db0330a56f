import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { hostname } from "node:os";
import { join } from "node:path";
import { query } from "./helpers/duckdb-read.ts";
import { runCli } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// Where a row came from: the machine's name on every row read from session files (resource attribute host.name).
setDefaultTimeout(60_000);

const FIXTURES = join(import.meta.dir, "fixtures");
const env = sessionEnv(join(FIXTURES, "claude", "projects"), join(FIXTURES, "codex", "sessions"), join(FIXTURES, "gemini", "tmp"));

/** The distinct ResourceAttributes of both tables of an export folder. */
async function exportedResources(folder: string): Promise<string[]> {
  const rows = await query(
    "SELECT DISTINCT ResourceAttributes AS r FROM (SELECT ResourceAttributes FROM read_parquet($logs) UNION ALL SELECT ResourceAttributes FROM read_parquet($metrics)) ORDER BY r",
    { logs: join(folder, "logs.parquet"), metrics: join(folder, "metrics.parquet") },
  );
  return rows.map((row) => String(row.r));
}

describe("host.name", () => {
  test("export --from-files: this machine's name by default, --host-name or AI_OBSERVER_HOST_NAME instead, none for none", async () => {
    const cases: [string[], Record<string, string>, string][] = [
      [[], {}, JSON.stringify({ "host.name": hostname() })],
      [[], { AI_OBSERVER_HOST_NAME: "laptop-1" }, '{"host.name":"laptop-1"}'],
      [["--host-name", "build <&> box"], { AI_OBSERVER_HOST_NAME: "laptop-1" }, '{"host.name":"build \\u003c\\u0026\\u003e box"}'],
      [["--host-name", "none"], {}, "{}"],
      [[], { AI_OBSERVER_HOST_NAME: "NONE" }, "{}"],
    ];
    for (const [flags, extra, expected] of cases) {
      const out = join(tempDir("host-"), "out");
      const run = await runCli(["export", "all", "--from-files", ...flags, "--output", out, "--yes"], { env: { ...env, ...extra } });
      expect([flags, run.exitCode, run.stderr]).toEqual([flags, 0, ""]);
      expect([flags, await exportedResources(out)]).toEqual([flags, [expected]]);
    }
  });

  test("import records it on the rows it writes; a report groups by it", async () => {
    const db = join(tempDir("host-db-"), "a.duckdb");
    const run = await runCli(["import", "all", "--db", db, "--host-name", "laptop-2", "--yes"], { env });
    expect(run.exitCode).toBe(0);
    const hosts = await query("SELECT DISTINCT json_extract_string(ResourceAttributes, '$.\"host.name\"') AS host FROM otel_metrics", {}, db);
    expect(hosts).toEqual([{ host: "laptop-2" }]);
    const grouped = await runCli(["query", `SELECT ResourceAttributes->>'$."host.name"' AS host, count(*) AS n FROM metrics GROUP BY ALL`, "--db", db, "--format", "csv"]);
    const total = await query("SELECT count(*)::INTEGER AS n FROM otel_metrics", {}, db);
    expect(grouped.stdout).toBe(`host,n\r\nlaptop-2,${total[0]?.n}\r\n`);
    const hostsReport = await runCli(["report", "hosts", "--db", db, "--json"]);
    const models = await runCli(["report", "models", "--db", db, "--json"]);
    const parsed = JSON.parse(hostsReport.stdout) as { rows: { host: string }[]; totals: unknown };
    expect(parsed.rows.map((row) => row.host)).toEqual(["laptop-2"]);
    expect(parsed.totals).toEqual((JSON.parse(models.stdout) as { totals: unknown }).totals);
  });

  test("without --from-files, or without a name, --host-name is a usage error", async () => {
    const out = join(tempDir("host-usage-"), "out");
    const fromDb = await runCli(["export", "all", "--db", join(out, "x.duckdb"), "--host-name", "a", "--output", out, "--yes"]);
    expect([fromDb.exitCode, fromDb.stderr]).toEqual([2, "error: --host-name is recorded on rows read from session files: it goes with --from-files (rows from the database keep what they hold)\n"]);
    const empty = await runCli(["import", "all", "--db", join(out, "x.duckdb"), "--host-name=", "--yes"], { env });
    expect(empty.exitCode).toBe(2);
  });
});
