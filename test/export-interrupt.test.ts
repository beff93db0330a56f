import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createBigDatabase } from "./helpers/big-db.ts";
import { createFixtureDatabase } from "./helpers/fixture-db.ts";
import { parquetRowCount, query } from "./helpers/duckdb-read.ts";
import { CLI, hermeticEnv, REPO_ROOT, runCli } from "./helpers/run-cli.ts";
import { tempDir } from "./helpers/temp.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

let smallDb: string;
let bigDb: string;

beforeAll(async () => {
  const dir = tempDir("interrupt-db-");
  smallDb = join(dir, "small.duckdb");
  bigDb = join(dir, "big.duckdb");
  await createFixtureDatabase(smallDb);
  await createBigDatabase(bigDb, 1_500_000);
}, 120_000);

function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) files[name] = Bun.hash(readFileSync(join(dir, name))).toString();
  return files;
}

async function interruptExport(out: string, signal: "SIGINT" | "SIGTERM", extra: string[] = [], database = bigDb) {
  const proc = Bun.spawn(["bun", CLI, "export", "all", "--db", database, "--output", out, "--yes", ...extra], {
    cwd: REPO_ROOT,
    env: hermeticEnv(),
    stdout: "pipe",
    stderr: "pipe",
  });
  let seen = "";
  const decoder = new TextDecoder();
  const reader = proc.stdout.getReader();
  while (!seen.includes("Exporting logs...")) {
    const chunk = await reader.read();
    if (chunk.done) break;
    seen += decoder.decode(chunk.value);
  }
  await Bun.sleep(150);
  proc.kill(signal);
  const exitCode = await proc.exited;
  return { exitCode, stdout: seen, stderr: await new Response(proc.stderr).text() };
}

describe("interrupting an export", () => {
  test.each([
    { signal: "SIGINT", code: 130, extra: [] },
    { signal: "SIGTERM", code: 143, extra: [] },
    { signal: "SIGINT", code: 130, extra: ["--zip"] },
  ] as const)("$signal while writing ($extra): exit $code, no temporary files, the earlier export intact", async ({ signal, code, extra }) => {
    const out = tempDir("interrupted-");
    const earlier = await runCli(["export", "all", "--db", smallDb, "--output", out, "--yes"]);
    expect(earlier.exitCode).toBe(0);
    const before = snapshot(out);

    const run = await interruptExport(out, signal, [...extra]);
    expect(run.stdout).toContain("Exporting logs...");
    expect(run.exitCode).toBe(code);
    expect(run.stderr).toContain(`interrupted by ${signal}`);
    expect(snapshot(out)).toEqual(before);
    expect(await parquetRowCount(join(out, "logs.parquet"))).toBe(10);
  });
});

test("SIGINT during export --delete-after deletes nothing", async () => {
  const copy = join(tempDir("interrupt-copy-"), "big.duckdb");
  copyFileSync(bigDb, copy);
  const run = await interruptExport(tempDir("interrupted-"), "SIGINT", ["--month", "2025-01", "--zip", "--delete-after"], copy);
  expect(run.exitCode).toBe(130);
  const rows = await query("SELECT (SELECT count(*) FROM otel_logs)::INTEGER AS logs, (SELECT count(*) FROM otel_metrics)::INTEGER AS metrics", {}, copy);
  expect(rows[0]).toEqual({ logs: 1_500_000, metrics: 1_500_000 });
});

test("an interrupted --json run still prints its one JSON object, the error", async () => {
  const proc = Bun.spawn(["bun", CLI, "export", "all", "--db", bigDb, "--output", tempDir("interrupted-json-"), "--yes", "--json"], {
    cwd: REPO_ROOT,
    env: hermeticEnv(),
    stdout: "pipe",
    stderr: "pipe",
  });
  await Bun.sleep(800); // well into writing 1.5 million rows
  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(143);
  const stdout = await new Response(proc.stdout).text();
  expect(JSON.parse(stdout)).toEqual({ schemaVersion: 1, status: "error", exitCode: 143, error: "interrupted by SIGTERM; no partial files were left" });
});
