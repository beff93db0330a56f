import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { removeStaleLock } from "../src/export/output-lock.ts";
import { runTag, tagIsAlive } from "../src/shared/run-tag.ts";
import { claudeLines } from "./helpers/claude-lines.ts";
import { createFixtureDatabase } from "./helpers/fixture-db.ts";
import { runCli } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

setDefaultTimeout(120_000);

let db: string;

beforeAll(async () => {
  db = join(tempDir("leftovers-db-"), "db.duckdb");
  await createFixtureDatabase(db);
});

const onLinux = process.platform === "linux";
if (!onLinux) console.log("reused-PID test skipped: a process's start time is read from /proc (Linux only)");

function lockedFolder(content: string, mtime?: Date): string {
  const out = tempDir("locked-");
  const lock = join(out, ".ai-observer.lock");
  writeFileSync(lock, content);
  if (mtime) utimesSync(lock, mtime, mtime);
  return out;
}

async function exportsInto(out: string): Promise<{ exitCode: number; stderr: string }> {
  return runCli(["export", "codex", "--db", db, "--output", out, "--yes"]);
}

describe("stale output locks are taken over", () => {
  test("a run's tag names its PID and, on Linux, its start; this run is alive, a dead PID is not", () => {
    expect(tagIsAlive(runTag())).toBe(true);
    expect(tagIsAlive("999999")).toBe(false);
    expect(tagIsAlive("not a tag")).toBeNull();
    if (onLinux) expect(runTag()).toMatch(new RegExp(`^${process.pid}s\\d+$`));
  });

  test("an empty lock (a power loss before it was written), once it is older than a few seconds", async () => {
    // A fresh one may be a lock being written this moment: it stays (an export would wait for it, then fail).
    const fresh = lockedFolder("");
    removeStaleLock(fresh);
    expect(readdirSync(fresh)).toEqual([".ai-observer.lock"]);
    const old = lockedFolder("", new Date(Date.now() - 60_000));
    const taken = await exportsInto(old);
    expect(taken.stderr).toBe("");
    expect(taken.exitCode).toBe(0);
    expect(readdirSync(old)).not.toContain(".ai-observer.lock");
  });

  test.if(onLinux)("a lock whose PID another process has now (its start time differs)", async () => {
    const out = lockedFolder(`${process.pid}s1\n`);
    const run = await exportsInto(out);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
  });

  test("a lock from before the machine's last boot, whatever its PID", async () => {
    const out = lockedFolder(`${process.pid}\n`, new Date(0));
    const run = await exportsInto(out);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
  });
});

describe("temporary files of runs that are gone are removed by the next run", () => {
  test("DuckDB's spill folder and staged rows in TMPDIR; a live run's are kept", async () => {
    const tmp = tempDir("tmpdir-");
    const dead = ["ai-observer-duckdb-999999", "ai-observer-rows-999999s12-AbCdEf", "ai-observer-temp-999999-XyZ"];
    for (const name of dead) mkdirSync(join(tmp, name));
    writeFileSync(join(tmp, "ai-observer-rows-999999s12-AbCdEf", "logs.bin"), "x".repeat(1000));
    const alive = `ai-observer-rows-${runTag()}-live`;
    mkdirSync(join(tmp, alive));
    const unrelated = "ai-observer-rows-notes.txt";
    writeFileSync(join(tmp, unrelated), "someone else's");

    const projects = join(tempDir("sessions-"), "projects", "p");
    mkdirSync(projects, { recursive: true });
    writeFileSync(join(projects, "s.jsonl"), claudeLines(50));
    const none = tempDir("no-sessions-");
    const env = { ...sessionEnv(join(projects, ".."), none, none), TMPDIR: tmp, AI_OBSERVER_STAGED_MEMORY_MB: "0" };
    const run = await runCli(["import", "claude-code", "--db", join(tempDir(), "new.duckdb"), "--yes"], { env });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    for (const name of dead) expect(existsSync(join(tmp, name))).toBe(false);
    expect(readdirSync(tmp).sort()).toEqual([alive, unrelated].sort());
  });
});

describe("a database of another application", () => {
  test("import refuses it (exit 1, one line naming it) and adds no table to it", async () => {
    const other = join(tempDir("other-app-"), "app.duckdb");
    const { query } = await import("./helpers/duckdb-read.ts");
    await query(`ATTACH '${other}' AS o; CREATE TABLE o.customers AS SELECT 1 AS id;`);
    const none = tempDir("no-sessions-");
    const projects = join(tempDir("sessions-"), "projects", "p");
    mkdirSync(projects, { recursive: true });
    writeFileSync(join(projects, "s.jsonl"), claudeLines(3));
    const run = await runCli(["import", "claude-code", "--db", other, "--yes"], { env: sessionEnv(join(projects, ".."), none, none) });
    expect(run.stderr).toBe(`error: not an AI Observer database (it holds other tables: customers), so import leaves it alone: ${other}\n`);
    expect(run.exitCode).toBe(1);
    const tables = await query("SELECT table_name FROM information_schema.tables WHERE table_catalog = 'app'", {}, other);
    expect(tables).toEqual([{ table_name: "customers" }]);
  });
});
