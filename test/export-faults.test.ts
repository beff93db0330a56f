import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDemoDatabase } from "../examples/build-demo-db.ts";
import { query } from "./helpers/duckdb-read.ts";
import { CLI, REPO_ROOT, hermeticEnv, runCli, spawnCli } from "./helpers/run-cli.ts";
import { prepareNobodyCli, type NobodyCli } from "./helpers/as-nobody.ts";
import { claudeLines } from "./helpers/claude-lines.ts";
import { tempDir } from "./helpers/temp.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

let db: string;

// A file system too small for the export: a 300 KiB tmpfs (needs root; CI runs as root).
const mountPoint = tempDir("tiny-fs-");
const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", mountPoint], { stderr: "pipe" }).exitCode === 0;
if (!mounted) console.log("disk-full and read-only tests skipped: mounting a tmpfs is not permitted here");

beforeAll(async () => {
  db = join(tempDir("faults-db-"), "demo.duckdb");
  await buildDemoDatabase(db);
}, 60_000);

afterAll(() => {
  if (mounted) Bun.spawnSync(["umount", mountPoint]);
});

describe("environment faults", () => {
  test.if(mounted)("disk full while writing: exit 1, one line, nothing partial left", async () => {
    const out = join(mountPoint, "export");
    const run = await runCli(["export", "all", "--db", db, "--output", out, "--yes"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^error: export failed while .*: no space left on device\n$/);
    expect(run.stdout).toContain("failed\n");
    expect(readdirSync(mountPoint)).toEqual([]);
  });

  test.if(mounted)("a full temporary folder while staging session rows: export --from-files and import exit 1, one line naming it, nothing left", async () => {
    const projects = join(tempDir("full-tmp-"), "projects", "-home-me");
    mkdirSync(projects, { recursive: true });
    writeFileSync(join(projects, "11111111-2222-4333-8444-555555555555.jsonl"), claudeLines(5000));
    // No staged rows held in memory: they all go to the temporary folder.
    const env = { AI_OBSERVER_CLAUDE_PATH: join(projects, ".."), TMPDIR: mountPoint, AI_OBSERVER_STAGED_MEMORY_MB: "0" };
    const expected = `error: cannot write the session rows to the temporary folder ${mountPoint}: no space left on device; nothing was written (TMPDIR sets another folder)\n`;
    const out = join(tempDir("full-tmp-out-"), "export");
    const exported = await runCli(["export", "claude-code", "--from-files", "--output", out, "--yes"], { env });
    expect(exported.stderr).toBe(expected);
    expect(exported.exitCode).toBe(1);
    expect(existsSync(out)).toBe(false);
    const database = join(tempDir("full-tmp-db-"), "db.duckdb");
    const imported = await runCli(["import", "claude-code", "--db", database, "--yes"], { env });
    expect(imported.stderr).toBe(expected);
    expect(imported.exitCode).toBe(1);
    expect(existsSync(database)).toBe(false);
    expect(readdirSync(mountPoint)).toEqual([]);
    // Rows that fit the memory budget never need the temporary folder.
    const held = await runCli(["export", "claude-code", "--from-files", "--output", out, "--yes"], { env: { ...env, AI_OBSERVER_STAGED_MEMORY_MB: "64" } });
    expect(held.stderr).toBe("");
    expect(held.exitCode).toBe(0);
    expect(await query("SELECT count(*)::INTEGER AS n FROM read_parquet($file)", { file: join(out, "logs.parquet") })).toEqual([{ n: 2 * 5000 }]); // each line's api_request and transcript row
    expect(readdirSync(mountPoint)).toEqual([]);
  });

  test.if(mounted)("disk full with --delete-after: nothing is deleted from the database", async () => {
    const copy = join(tempDir(), "copy.duckdb");
    copyFileSync(db, copy);
    const before = await query("SELECT count(*)::INTEGER AS n FROM otel_metrics", {}, copy);
    const run = await runCli(["export", "all", "--month", "2025-06", "--zip", "--delete-after", "--db", copy, "--output", join(mountPoint, "x"), "--yes"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("no space left on device");
    expect(await query("SELECT count(*)::INTEGER AS n FROM otel_metrics", {}, copy)).toEqual(before);
    expect(before[0]?.n).toBeGreaterThan(0);
  });

  test.if(mounted)("a read-only output file system: exit 1, one line, before anything is written", async () => {
    expect(Bun.spawnSync(["mount", "-o", "remount,ro", mountPoint]).exitCode).toBe(0);
    try {
      const run = await runCli(["export", "all", "--db", db, "--output", join(mountPoint, "x"), "--yes"]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toBe(`error: cannot write to output folder ${join(mountPoint, "x")}: read-only file system\n`);
      expect(run.stdout).not.toContain("Exporting");
    } finally {
      Bun.spawnSync(["mount", "-o", "remount,rw", mountPoint]);
    }
  });

  test("a reader that goes away (| head) neither stops the export nor prints a stack trace", async () => {
    const out = join(tempDir(), "piped");
    const proc = Bun.spawn(["sh", "-c", `bun '${CLI}' export all --db '${db}' --output '${out}' --yes | head -n 1`], {
      cwd: REPO_ROOT,
      env: hermeticEnv(),
      stdout: "pipe",
      stderr: "pipe",
    });
    const stderr = await new Response(proc.stderr).text();
    expect(await proc.exited).toBe(0);
    expect(stderr).toBe("");
    expect(readdirSync(out).sort()).toEqual(["ai-observer-export-all-all.duckdb", "logs.parquet", "metrics.parquet", "traces.parquet"]);
  });

  test("staging folders of runs that were killed are removed by the next export", async () => {
    const out = tempDir();
    const stale = join(out, ".ai-observer-tmp-999999-abc");
    mkdirSync(stale);
    const run = await runCli(["export", "codex", "--db", db, "--output", out, "--yes"]);
    expect(run.exitCode).toBe(0);
    expect(existsSync(stale)).toBe(false);
  });
});

describe("two runs at once", () => {
  test("an output folder locked by a live export: the second waits briefly, then exit 1 naming the PID", async () => {
    const out = tempDir();
    const holder = Bun.spawn(["sleep", "30"]);
    try {
      writeFileSync(join(out, ".ai-observer.lock"), `${holder.pid}\n`);
      const run = await runCli(["export", "codex", "--db", db, "--output", out, "--yes"]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toBe(`error: output folder ${out} is in use by another export (PID ${holder.pid}); try again when it has finished\n`);
      expect(readdirSync(out)).toEqual([".ai-observer.lock"]);
    } finally {
      holder.kill();
    }
  });

  test("a lock left by a dead process is taken over", async () => {
    const out = tempDir();
    writeFileSync(join(out, ".ai-observer.lock"), "999999\n");
    const run = await runCli(["export", "codex", "--db", db, "--output", out, "--yes"]);
    expect(run.exitCode).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["ai-observer-export-codex-all.duckdb", "logs.parquet", "metrics.parquet", "traces.parquet"]);
  });

  test("two exports into one folder at the same time: one after the other, files from one run only", async () => {
    const out = tempDir();
    const [a, b] = await Promise.all([
      spawnCli(["export", "all", "--month", "2025-06", "--db", db, "--output", out, "--yes", "--json"]),
      spawnCli(["export", "all", "--month", "2025-06", "--db", db, "--output", out, "--yes", "--json"]),
    ]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    expect(readdirSync(out).sort()).toEqual(["ai-observer-export-all-2025-06-01-2025-06-30.duckdb", "logs.parquet", "metrics.parquet", "traces.parquet"]);
  });

  test("export and delete on one database at the same time: neither corrupts the other", async () => {
    const copy = join(tempDir(), "copy.duckdb");
    copyFileSync(db, copy);
    const out = tempDir();
    const [exported, deleted] = await Promise.all([
      spawnCli(["export", "all", "--db", copy, "--output", out, "--yes", "--json"]),
      spawnCli(["delete", "all", "--month", "2025-06", "--db", copy, "--yes", "--json"]),
    ]);
    for (const run of [exported, deleted]) {
      expect([0, 1]).toContain(run.exitCode);
      if (run.exitCode === 1) expect(run.stderr).toContain("database is in use by another process");
    }
    const left = await query("SELECT count(*)::INTEGER AS n FROM otel_logs", {}, copy);
    expect(left[0]?.n).toBe(deleted.exitCode === 0 ? 0 : 1260);
    // The export saw the database either before the delete (all rows) or after it (nothing to export).
    if (exported.exitCode === 0 && JSON.parse(exported.stdout).status === "exported") {
      const rows = await query("SELECT count(*)::INTEGER AS n FROM read_parquet($f)", { f: join(out, "logs.parquet") });
      expect(rows[0]?.n).toBe(1260);
    } else if (exported.exitCode === 0) {
      expect(JSON.parse(exported.stdout).status).toBe("empty");
    }
  });
});

// As root, permissions are not enforced: the CLI runs as `nobody` to meet a folder it may not write.
const nobody = prepareNobodyCli();
if (typeof nobody === "string") console.log(`permission test skipped: ${nobody}`);
afterAll(() => {
  if (typeof nobody !== "string") nobody.dispose();
});

describe("permissions", () => {
  test.if(typeof nobody !== "string")("an output folder the user may not write: exit 1, one line, nothing written", async () => {
    const { shared, command } = nobody as NobodyCli;
    const copy = join(shared, "db.duckdb");
    copyFileSync(db, copy);
    chmodSync(copy, 0o644);
    const locked = join(shared, "not-yours");
    mkdirSync(locked, { mode: 0o755 });
    const proc = Bun.spawnSync([...command, "export", "all", "--db", copy, "--output", join(locked, "x"), "--yes"], {
      cwd: "/",
      env: hermeticEnv({ HOME: shared, TMPDIR: shared }),
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(proc.stderr.toString()).toBe(`error: cannot write to output folder ${join(locked, "x")}: permission denied\n`);
    expect(proc.exitCode).toBe(1);
    expect(readdirSync(locked)).toEqual([]);
  });
});

describe("memory", () => {
  test("a DuckDB memory limit too small for the data: the table is written again without it, rows exact", async () => {
    const out = tempDir();
    const run = await runCli(["export", "all", "--db", db, "--output", out, "--yes", "--json"], { env: { AI_OBSERVER_MEMORY_LIMIT: "1MB" } });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const counts = JSON.parse(run.stdout).counts;
    const rows = await query("SELECT count(*)::INTEGER AS n FROM read_parquet($f)", { f: join(out, "metrics.parquet") });
    expect(rows[0]?.n).toBe(counts.metrics);
    expect(counts.metrics).toBeGreaterThan(0);
  });
});
