import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { query } from "./helpers/duckdb-read.ts";
import { createFixtureDatabase } from "./helpers/fixture-db.ts";
import { CLI, hermeticEnv, REPO_ROOT, runCli } from "./helpers/run-cli.ts";
import { tempDir } from "./helpers/temp.ts";

// Bad input and odd surroundings get one clear line and a documented exit code, never a silent wrong result.
setDefaultTimeout(120_000);

let db: string;

beforeAll(async () => {
  db = join(tempDir("bad-input-db-"), "db.duckdb");
  await createFixtureDatabase(db, [
    { timestamp: "0050-06-01 12:00:00", service: "claude-code" },
    { timestamp: "2025-01-01 00:00:00", service: "claude-code" },
  ]);
});

function shell(script: string, env: Record<string, string> = {}): { exitCode: number; stdout: string; stderr: string } {
  const result = Bun.spawnSync(["sh", "-c", script], { cwd: REPO_ROOT, env: hermeticEnv(env), stdout: "pipe", stderr: "pipe" });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

describe("arguments", () => {
  test("a value that starts with '-' is a usage error that says how to write it, and works so written", async () => {
    const run = await runCli(["export", "all", "--db", db, "--output", tempDir(), "--from", "-1d", "--yes"]);
    expect(run.stderr).toBe(`error: --from needs a value, and -1d looks like an option; a value that starts with "-" is written --from=-1d\n`);
    expect(run.exitCode).toBe(2);
    const written = await runCli(["export", "all", "--db", db, "--output", tempDir(), "--from=-1d", "--yes"]);
    expect(written.stderr).toContain("error: invalid date for --from: -1d");
    expect(written.exitCode).toBe(2);
  });

  test("--db '' is a usage error, not the default database", async () => {
    for (const command of [["export", "all", "--output", tempDir()], ["import", "all"], ["delete", "all", "--month", "2025-01"]]) {
      const run = await runCli([...command, "--db", "", "--yes"]);
      expect(run.stderr).toStartWith("error: --db needs a path");
      expect(run.exitCode).toBe(2);
    }
  });

  test("a path with a newline: the error stays one line", async () => {
    const run = await runCli(["export", "all", "--db", "/no/such\nfolder/db.duckdb", "--output", tempDir(), "--yes"]);
    expect(run.stderr).toBe("error: database not found: /no/such\\nfolder/db.duckdb (give --db PATH or set AI_OBSERVER_DATABASE_PATH)\n");
    expect(run.exitCode).toBe(1);
  });

  test("years 0001 to 0099 can be given, as they can be stored", async () => {
    const out = tempDir();
    const run = await runCli(["export", "all", "--db", db, "--output", out, "--from", "0001-01-01", "--to", "0099-12-31", "--yes", "--json"]);
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout).counts).toEqual({ traces: 1, logs: 1, metrics: 1 });
    expect(JSON.parse(run.stdout).range.label).toBe("0001-01-01-0099-12-31");
    const month = await runCli(["export", "all", "--db", db, "--output", tempDir(), "--month", "0050-06", "--yes", "--json"]);
    expect(JSON.parse(month.stdout).counts.logs).toBe(1);
  });
});

describe("surroundings", () => {
  test("a relative --db from a working folder that was deleted: a usage error, nothing created elsewhere", () => {
    const gone = join(tempDir(), "gone");
    mkdirSync(gone);
    const run = shell(`cd '${gone}' && rmdir '${gone}' && exec bun '${CLI}' import all --db relative.duckdb --yes`);
    expect(run.stderr).toBe("error: the current folder no longer exists, so the relative path relative.duckdb of --db cannot be found; cd into a folder that exists, or give an absolute path\n");
    expect(run.exitCode).toBe(2);
  });

  test("stdout that cannot be written (a full disk): exit 1 and a line on stderr; a reader that goes away is no failure", () => {
    const full = shell(`exec bun '${CLI}' export all --db '${db}' --output '${tempDir()}' --yes --json > /dev/full`);
    expect(full.stderr).toBe("error: cannot write the output: no space left on device\n");
    expect(full.exitCode).toBe(1);
    const piped = shell(`bun '${CLI}' export all --db '${db}' --output '${tempDir()}' --yes | head -c 1 > /dev/null; echo $?`);
    expect(piped.stderr).toBe("");
  });

  test("a damaged views-database template in the cache is never copied into an export", async () => {
    const home = tempDir("cache-home-");
    const first = await runCli(["export", "all", "--db", db, "--output", tempDir(), "--yes"], { env: { HOME: home } });
    expect(first.exitCode).toBe(0);
    const cache = join(home, ".cache", "ai-observer");
    const template = join(cache, readdirSync(cache).find((name) => name.endsWith(".duckdb")) as string);
    // Cut short, as a full disk or a crash leaves it: its DuckDB header is still there.
    writeFileSync(template, readFileSync(template).subarray(0, 8192));
    const out = tempDir();
    const second = await runCli(["export", "all", "--db", db, "--output", out, "--yes"], { env: { HOME: home } });
    expect(second.exitCode).toBe(0);
    const views = join(out, readdirSync(out).find((name) => name.endsWith(".duckdb")) as string);
    expect(await query(`ATTACH '${views}' AS v (READ_ONLY); SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_catalog = 'v'`)).toEqual([{ n: 3 }]);
  });
});
