import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildDemoDatabase } from "../../examples/build-demo-db.ts";
import { query } from "../helpers/duckdb-read.ts";
import { CLI, hermeticEnv, REPO_ROOT } from "../helpers/run-cli.ts";
import { layOutSamples, SAMPLES } from "../helpers/session-tree.ts";
import { tempDir } from "../helpers/temp.ts";

// The fault harness: each command is killed at many points (SIGKILL, and SIGTERM at some) and, after each, the
// database must hold exactly the state before the run or after it, an archive whose rows were deleted must be
// complete in place, and the next run must finish the work and leave nothing behind. The points are every kind of
// call that changes files (fsync, rename, link, unlink, mkdir, rmdir, pwrite, ftruncate), each at evenly spaced
// occurrences: strace stops the process on entering the n-th such call (--inject=...:signal=KILL:when=n).
setDefaultTimeout(600_000);

const strace = Bun.which("strace");
const usable = strace !== null && Bun.spawnSync([strace, "-qq", "-e", "trace=none", "true"], { stderr: "pipe" }).exitCode === 0;
if (!usable) console.log("fault harness skipped: strace is not installed or may not trace here (apt-get install strace)");

const CALLS = ["fsync", "fdatasync", "rename", "renameat", "renameat2", "link", "linkat", "unlink", "unlinkat", "mkdir", "mkdirat", "rmdir", "pwrite64", "ftruncate"];
const POINTS_PER_CALL = 4;

interface Setup {
  /** A fresh copy of the state before the run: its database (if any), output folder (if any), environment. */
  dir: string;
  db: string;
  out: string;
  env: Record<string, string>;
}

interface Scenario {
  name: string;
  /** Lays out the state before the run into `dir` (called once; later copies are taken of `dir`). */
  prepare(dir: string): Promise<void>;
  args(setup: Setup): string[];
  /** Whether a rerun may refuse with this message, leaving a complete archive in place (--delete-after). */
  refusal?: RegExp;
}

// Times a run stamps are left out, and file paths are taken relative to the run's folder (each point has its copy).
const TABLES: Record<string, string> = {
  otel_traces: "SELECT * FROM otel_traces",
  otel_logs: "SELECT * FROM otel_logs",
  otel_metrics: "SELECT * FROM otel_metrics",
  import_state: "SELECT * EXCLUDE (imported_at) REPLACE (replace(file_path, $dir, '') AS file_path) FROM import_state",
  ai_observer_import_events: "SELECT * REPLACE (replace(file_path, $dir, '') AS file_path) FROM ai_observer_import_events",
};

/** The database's rows, as a fingerprint per table with rows ("none" when it does not exist or is empty). */
async function databaseState(db: string): Promise<string> {
  if (!existsSync(db)) return "none";
  const present = new Set((await query("SELECT table_name AS t FROM information_schema.tables", {}, db)).map((row) => String(row.t)));
  const parts: string[] = [];
  for (const [table, sql] of Object.entries(TABLES)) {
    if (!present.has(table)) continue;
    const [row] = await query(`SELECT count(*)::BIGINT AS n, coalesce(sum(hash(t)), 0)::VARCHAR AS h FROM (${sql}) t`, sql.includes("$dir") ? { dir: join(db, "..") } : {}, db);
    parts.push(`${table}:${row?.n}:${row?.h}`);
  }
  // An empty table counts as none: our bookkeeping tables are made in a database that lacks them before a run's transaction.
  const filled = parts.filter((part) => !/:0:0$/.test(part));
  if (filled.length === 0) return "none";
  // And its storage format, which upgrade-database changes (and nothing else).
  const [storage] = await query("SELECT tags['storage_version']::VARCHAR AS v FROM duckdb_databases() WHERE database_name = current_database()", {}, db);
  return `${filled.join(" ")} storage:${storage?.v}`;
}

/** The database's indexes, by name ("none" without a database): what a killed run left waiting, the rerun makes. */
async function indexState(db: string): Promise<string> {
  if (!existsSync(db)) return "none";
  return (await query("SELECT index_name AS i FROM duckdb_indexes() ORDER BY 1", {}, db)).map((row) => String(row.i)).join(" ");
}

/** The files under `folder` (a lake's partitions too), relative, leaving out hidden ones and what is under hidden folders. */
function visibleFiles(folder: string, prefix = ""): string[] {
  return readdirSync(join(folder, prefix), { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith("."))
    .flatMap((entry) => (entry.isDirectory() ? visibleFiles(folder, join(prefix, entry.name)) : [join(prefix, entry.name)]))
    .sort();
}

/** The output folder's visible files: the rows of each Parquet file, also inside a ZIP (hidden files are the next run's to clean). */
async function outputState(out: string): Promise<string> {
  if (!existsSync(out)) return "";
  const parts: string[] = [];
  for (const name of visibleFiles(out)) {
    const path = join(out, name);
    let files = [path];
    if (name.endsWith(".zip")) {
      const unpacked = tempDir("harness-zip-");
      if (Bun.spawnSync(["unzip", "-q", path, "-d", unpacked]).exitCode !== 0) return `${name}: not a complete ZIP`;
      files = readdirSync(unpacked).filter((entry) => entry.endsWith(".parquet")).sort().map((entry) => join(unpacked, entry));
    }
    for (const file of files.filter((entry) => entry.endsWith(".parquet"))) {
      const [row] = await query("SELECT count(*)::BIGINT AS n, coalesce(sum(hash(t)), 0)::VARCHAR AS h FROM read_parquet($file) t", { file });
      parts.push(`${name}/${file.split("/").at(-1)}:${row?.n}:${row?.h}`);
    }
    if (!name.endsWith(".parquet") && !name.endsWith(".zip")) parts.push(name);
  }
  return parts.join(" ");
}

function copySetup(template: string): Setup {
  const dir = tempDir("harness-run-");
  cpSync(template, dir, { recursive: true });
  const tmp = join(dir, "tmp");
  mkdirSync(tmp, { recursive: true });
  const env = JSON.parse(readFileSync(join(dir, "env.json"), "utf8")) as Record<string, string>;
  const rebased = Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value.replaceAll("{dir}", dir)]));
  return { dir, db: join(dir, "db.duckdb"), out: join(dir, "out"), env: { ...rebased, TMPDIR: tmp } };
}

/** Runs the CLI; `inject`: stop it on entering the `when`-th call `call` with `signal` (strace traces the call to inject into it). */
function run(setup: Setup, args: string[], inject?: { call: string; signal: string; when: number }): { exitCode: number; stderr: string } {
  const traced = inject ? [strace as string, "-f", "-qq", "-o", "/dev/null", "-e", `trace=${inject.call}`, `--inject=${inject.call}:signal=${inject.signal}:when=${inject.when}`] : [];
  const command = [...traced, "bun", CLI, ...args];
  const result = Bun.spawnSync(command, { cwd: REPO_ROOT, env: hermeticEnv(setup.env), stdout: "pipe", stderr: "pipe" });
  return { exitCode: result.exitCode ?? -1, stderr: result.stderr.toString() };
}

/** How often the run makes each of CALLS, from a traced clean run. */
function callCounts(setup: Setup, args: string[]): Map<string, number> {
  const log = join(setup.dir, "calls.txt");
  Bun.spawnSync([strace as string, "-f", "-qq", "-o", log, "-e", `trace=${CALLS.join(",")}`, "bun", CLI, ...args], { cwd: REPO_ROOT, env: hermeticEnv(setup.env) });
  const counts = new Map<string, number>();
  for (const line of readFileSync(log, "utf8").split("\n")) {
    const name = /^\d+\s+(\w+)\(/.exec(line)?.[1];
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

function spread(count: number, points: number): number[] {
  if (count <= points) return Array.from({ length: count }, (_, i) => i + 1);
  return [...new Set(Array.from({ length: points }, (_, i) => Math.round(1 + (i * (count - 1)) / (points - 1))))];
}

function leftovers(setup: Setup): string[] {
  const hidden = existsSync(setup.out) ? readdirSync(setup.out).filter((name) => name.startsWith(".")) : [];
  return [...hidden, ...readdirSync(join(setup.dir, "tmp"))];
}

async function writeEnv(dir: string, env: Record<string, string>): Promise<void> {
  await Bun.write(join(dir, "env.json"), JSON.stringify(env));
}

const none = "{dir}/none";

/** Runs the CLI to lay out a scenario's state (an earlier export, a delete), which must succeed. */
function prepareWithCli(...args: string[]): void {
  expect(Bun.spawnSync(["bun", CLI, ...args], { cwd: REPO_ROOT, env: hermeticEnv() }).exitCode).toBe(0);
}

const SCENARIOS: Scenario[] = [
  {
    name: "import all into a new database",
    async prepare(dir) {
      const tree = layOutSamples(join(dir, "home"));
      await writeEnv(dir, { AI_OBSERVER_CLAUDE_PATH: tree.claude.replace(dir, "{dir}"), AI_OBSERVER_CODEX_PATH: tree.codex.replace(dir, "{dir}"), AI_OBSERVER_GEMINI_PATH: tree.gemini.replace(dir, "{dir}") });
    },
    args: (setup) => ["import", "all", "--db", setup.db, "--yes"],
  },
  {
    name: "export all --month 2025-06 --zip --delete-after",
    async prepare(dir) {
      await buildDemoDatabase(join(dir, "db.duckdb"));
      await writeEnv(dir, { AI_OBSERVER_CLAUDE_PATH: none });
    },
    args: (setup) => ["export", "all", "--month", "2025-06", "--zip", "--delete-after", "--yes", "--db", setup.db, "--output", setup.out],
    refusal: /exists already, and --delete-after never replaces a file/,
  },
  {
    name: "export claude-code --from 2025-06-02 --to 2025-06-08 --delete-after (Parquet files)",
    async prepare(dir) {
      await buildDemoDatabase(join(dir, "db.duckdb"));
      await writeEnv(dir, { AI_OBSERVER_CLAUDE_PATH: none });
    },
    args: (setup) => ["export", "claude-code", "--from", "2025-06-02", "--to", "2025-06-08", "--delete-after", "--yes", "--db", setup.db, "--output", setup.out],
    refusal: /exists already, and --delete-after never replaces a file/,
  },
  {
    name: "export all over an earlier export of another range (files replaced)",
    async prepare(dir) {
      await buildDemoDatabase(join(dir, "db.duckdb"));
      await writeEnv(dir, { AI_OBSERVER_CLAUDE_PATH: none });
      prepareWithCli("export", "all", "--from", "2025-06-02", "--to", "2025-06-03", "--yes", "--db", join(dir, "db.duckdb"), "--output", join(dir, "out"));
    },
    args: (setup) => ["export", "all", "--from", "2025-06-04", "--to", "2025-06-12", "--yes", "--db", setup.db, "--output", setup.out],
  },
  {
    name: "export all --month 2025-06 --layout hive over a lake of that month (partitions replaced and removed)",
    async prepare(dir) {
      const db = join(dir, "db.duckdb");
      await buildDemoDatabase(db);
      await writeEnv(dir, { AI_OBSERVER_CLAUDE_PATH: none });
      prepareWithCli("export", "all", "--month", "2025-06", "--layout", "hive", "--yes", "--db", db, "--output", join(dir, "out"));
      prepareWithCli("delete", "all", "--from", "2025-06-10", "--to", "2025-06-11", "--yes", "--db", db);
    },
    args: (setup) => ["export", "all", "--month", "2025-06", "--layout", "hive", "--yes", "--db", setup.db, "--output", setup.out],
  },
  {
    name: "import --from-export of a ZIP, into the database that lost some of its rows",
    async prepare(dir) {
      const db = join(dir, "db.duckdb");
      await buildDemoDatabase(db);
      await writeEnv(dir, { AI_OBSERVER_CLAUDE_PATH: none });
      prepareWithCli("export", "all", "--month", "2025-06", "--zip", "--yes", "--db", db, "--output", join(dir, "archive"));
      prepareWithCli("delete", "all", "--from", "2025-06-02", "--to", "2025-06-05", "--yes", "--db", db);
    },
    args: (setup) => ["import", "--from-export", join(setup.dir, "archive", "ai-observer-export-all-2025-06-01-2025-06-30.zip"), "--yes", "--db", setup.db],
  },
  {
    name: "upgrade-database of a database in DuckDB's older storage format",
    async prepare(dir) {
      await buildDemoDatabase(join(dir, "db.duckdb"));
      await writeEnv(dir, { AI_OBSERVER_CLAUDE_PATH: none });
    },
    args: (setup) => ["upgrade-database", "--yes", "--db", setup.db],
  },
  {
    name: "delete all --month 2025-06 --service codex",
    async prepare(dir) {
      await buildDemoDatabase(join(dir, "db.duckdb"));
      await writeEnv(dir, { AI_OBSERVER_CLAUDE_PATH: none });
    },
    args: (setup) => ["delete", "all", "--month", "2025-06", "--service", "codex", "--yes", "--db", setup.db],
  },
];

describe.if(usable && existsSync(SAMPLES))("fault harness: killed anywhere, nothing is lost or half done", () => {
  const tally = { points: 0, kill: 0, term: 0 };
  for (const scenario of SCENARIOS) {
    test(scenario.name, async () => {
      const template = tempDir("harness-template-");
      await scenario.prepare(template);
      const clean = copySetup(template);
      const before = { db: await databaseState(clean.db), out: await outputState(clean.out) };
      const counting = copySetup(template);
      const counts = callCounts(counting, scenario.args(counting));
      rmSync(counting.dir, { recursive: true, force: true });
      const done = run(clean, scenario.args(clean));
      expect(done.stderr).toBe("");
      expect(done.exitCode).toBe(0);
      const after = { db: await databaseState(clean.db), out: await outputState(clean.out) };
      const indexesAfter = await indexState(clean.db);
      expect(after.db === before.db && after.out === before.out).toBe(false); // the run changes something
      rmSync(clean.dir, { recursive: true, force: true });

      const points = [...counts].flatMap(([call, count]) => spread(count, POINTS_PER_CALL).map((when) => ({ call, when })));
      expect(points.length).toBeGreaterThan(0);
      for (const [index, { call, when }] of points.entries()) {
        const signal = index % 4 === 3 ? "TERM" : "KILL";
        const setup = copySetup(template);
        const args = scenario.args(setup);
        run(setup, args, { call, signal, when });
        const point = `${scenario.name}: ${signal} at ${call} #${when}`;
        const db = await databaseState(setup.db);
        const out = await outputState(setup.out);
        expect({ point, db: db === before.db ? "before" : db === after.db ? "after" : db }).toEqual({ point, db: expect.stringMatching(/^(before|after)$/) });
        // Rows deleted from the database are in the archive, complete.
        if (db === after.db && after.db !== before.db && scenario.args(setup).includes("--delete-after")) expect({ point, out }).toEqual({ point, out: after.out });
        // The next run finishes the work (or, for --delete-after, refuses to replace the complete archive a killed run left) and cleans up.
        const rerun = run(setup, args);
        const refused = scenario.refusal?.test(rerun.stderr) === true;
        expect({ point, exitCode: rerun.exitCode, stderr: refused ? "" : rerun.stderr }).toEqual({ point, exitCode: refused ? 1 : 0, stderr: "" });
        expect({ point, out: await outputState(setup.out) }).toEqual({ point, out: after.out });
        expect({ point, db: await databaseState(setup.db) }).toEqual({ point, db: refused ? before.db : after.db });
        if (!refused) expect({ point, indexes: await indexState(setup.db) }).toEqual({ point, indexes: indexesAfter });
        expect({ point, leftovers: leftovers(setup) }).toEqual({ point, leftovers: [] });
        rmSync(setup.dir, { recursive: true, force: true });
        tally.points++;
        if (signal === "KILL") tally.kill++;
        else tally.term++;
      }
      console.log(`fault harness: ${scenario.name}: ${points.length} points (${[...counts].map(([call, count]) => `${call} ${count}`).join(", ")})`);
    });
  }
  test("summary", () => {
    console.log(`fault harness: ${tally.points} kill points held (${tally.kill} SIGKILL, ${tally.term} SIGTERM) across ${SCENARIOS.length} commands`);
    expect(tally.points).toBeGreaterThan(SCENARIOS.length * 4);
  });
});
if (!existsSync(SAMPLES)) console.log(`fault harness skipped: it imports the shared samples, and ${SAMPLES} is missing`);
