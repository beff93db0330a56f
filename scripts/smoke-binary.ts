#!/usr/bin/env bun
/**
 * Smoke test of a compiled executable, run outside the repository and without Bun:
 *
 *   bun scripts/smoke-binary.ts [dist/ai-observer-linux-x64] [--sessions DIR] [--keep]
 *
 * - `file` reports the right format for every `ai-observer-*` executable next to it, and when
 *   the release files are there too, SHA256SUMS verifies and every archive holds the executable,
 *   README.md and LICENSE;
 * - a copy alone in an empty temporary folder, run as `env -i PATH=/usr/bin:/bin HOME=<tmp>`
 *   (where bun is in /usr/bin, PATH is a folder of links to /usr/bin and /bin without it),
 *   prints the package.json version and the current commit for `--version`, and `--help`;
 * - `export all --db <small db> --output <dir> --yes --json` writes the three Parquet files and
 *   the views database and reports the row counts (twice: with and without DuckDB's files
 *   already unpacked in the cache folder); the views database then opens and counts the rows;
 * - `export all --from-files` with HOME set to a copy of `--sessions DIR` (a folder laid out like
 *   a home folder: .claude/, .codex/, .gemini/), by default the shared samples laid out so;
 * - the linux-arm64 executable's `--version` under qemu-aarch64-static, where installed.
 *
 * Ends with `smoke: N passed, M failed` and exits 1 on any failure.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadDuckDB } from "../src/db/duckdb.ts";
import { layOutSamples, SAMPLES } from "../test/helpers/session-tree.ts";
import { checkVersionText, gitCommit, parseJson, type RunResult, run, runWatchingEnv, SmokeTally } from "./smoke/checks.ts";
import { SMOKE_COUNTS } from "./smoke/make-smoke-db.ts";

const ROOT = resolve(import.meta.dir, "..");
const CLEAN_PATH = "/usr/bin:/bin";

const EXPECTED_FORMAT: Record<string, RegExp> = {
  "ai-observer-linux-x64": /ELF 64-bit LSB .*x86-64/,
  "ai-observer-linux-arm64": /ELF 64-bit LSB .*ARM aarch64/,
  "ai-observer-darwin-x64": /Mach-O 64-bit x86_64 executable/,
  "ai-observer-darwin-arm64": /Mach-O 64-bit arm64 executable/,
  "ai-observer-windows-x64.exe": /PE32\+ executable \(console\) x86-64/,
};

const tally = new SmokeTally();
const check = tally.check.bind(tally);
const note = tally.note.bind(tally);

/**
 * `/usr/bin:/bin`, unless Bun is installed there (npm -g puts it in /usr/bin): then a folder of
 * links to everything in them but bun and bunx.
 */
function bunFreePath(work: string): string {
  const dirs = CLEAN_PATH.split(":");
  if (!dirs.some((dir) => existsSync(join(dir, "bun")) || existsSync(join(dir, "bunx")))) return CLEAN_PATH;
  const linkDir = join(work, "path-without-bun");
  mkdirSync(linkDir);
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name === "bun" || name === "bunx" || existsSync(join(linkDir, name))) continue;
      symlinkSync(join(dir, name), join(linkDir, name));
    }
  }
  return linkDir;
}

function checkFormats(distDir: string): void {
  for (const [name, expected] of Object.entries(EXPECTED_FORMAT)) {
    const path = join(distDir, name);
    if (!existsSync(path)) {
      note(`${name} not built, format not checked`);
      continue;
    }
    const result = Bun.spawnSync(["file", "-b", path], { stdout: "pipe", stderr: "pipe" });
    const description = result.stdout.toString().trim();
    check(`file ${name}`, expected.test(description), description.slice(0, 90));
  }
}

/** When the release files were built too: SHA256SUMS matches, and each archive holds the three files. */
function checkReleaseFiles(distDir: string): void {
  const sums = join(distDir, "SHA256SUMS");
  if (!existsSync(sums)) {
    note("no SHA256SUMS (built with --no-archive?); archives not checked");
    return;
  }
  const verify = Bun.spawnSync(["sha256sum", "--check", "--strict", "SHA256SUMS"], { cwd: distDir, stdout: "pipe", stderr: "pipe" });
  check("sha256sum --check SHA256SUMS", verify.exitCode === 0, verify.stdout.toString().trim().split("\n").join("; "));
  for (const line of readFileSync(sums, "utf8").trim().split("\n")) {
    const name = line.slice(66);
    const list = name.endsWith(".zip")
      ? Bun.spawnSync(["unzip", "-Z1", name], { cwd: distDir, stdout: "pipe", stderr: "pipe" })
      : Bun.spawnSync(["tar", "-tzf", name], { cwd: distDir, stdout: "pipe", stderr: "pipe" });
    const entries = list.stdout.toString().trim().split("\n").sort().join(",");
    const exe = name.endsWith(".zip") ? "ai-observer.exe" : "ai-observer";
    check(`${name} holds the executable, README.md and LICENSE`, entries === ["LICENSE", "README.md", exe].sort().join(","), entries);
  }
  const formula = join(distDir, "ai-observer.rb");
  if (existsSync(formula)) {
    const text = readFileSync(formula, "utf8");
    check("ai-observer.rb has 4 url/sha256 pairs and no placeholder", (text.match(/^\s+url "/gm) ?? []).length === 4 && !text.includes("{{"));
  }
}

interface ExportJson {
  status?: string;
  error?: string;
  counts?: Record<string, number>;
  files?: { name: string; path: string; bytes: number }[];
}

function checkExport(label: string, result: RunResult, outDir: string, counts?: Record<string, number>): string | undefined {
  const json = parseJson<ExportJson>(result.stdout);
  if (!check(`${label}: exit 0 and JSON (${result.ms} ms)`, result.exitCode === 0 && json?.status === "exported", result.stderr.trim().slice(0, 300))) {
    return undefined;
  }
  for (const file of ["traces.parquet", "logs.parquet", "metrics.parquet"]) {
    const path = join(outDir, file);
    check(`${label}: ${file}`, existsSync(path) && statSync(path).size > 0);
  }
  const viewsDb = readdirSync(outDir).find((name) => name.endsWith(".duckdb"));
  check(`${label}: views database`, viewsDb !== undefined, viewsDb ?? `none in ${outDir}`);
  const reported = json?.files?.map((file) => file.name).sort().join(",");
  const present = readdirSync(outDir).sort().join(",");
  check(`${label}: JSON lists the files written`, reported === present, `${reported} vs ${present}`);
  if (counts) {
    check(`${label}: JSON counts`, JSON.stringify(json?.counts) === JSON.stringify(counts), JSON.stringify(json?.counts));
  } else {
    check(`${label}: JSON counts present`, typeof json?.counts?.traces === "number", JSON.stringify(json?.counts));
  }
  return viewsDb ? join(outDir, viewsDb) : undefined;
}

/** Opens the views database with the repository's DuckDB and counts each view's rows. */
async function countViews(viewsDb: string, outDir: string): Promise<Record<string, number>> {
  const { DuckDBInstance } = await loadDuckDB();
  const instance = await DuckDBInstance.create(viewsDb, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    await connection.run(`SET file_search_path = '${outDir.replaceAll("'", "''")}'`);
    const counts: Record<string, number> = {};
    for (const view of ["traces", "logs", "metrics"]) {
      const reader = await connection.runAndReadAll(`SELECT count(*) FROM ${view}`);
      counts[view] = Number(reader.getRows()[0]?.[0]);
    }
    return counts;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      sessions: { type: "string" },
      keep: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  const executable = resolve(positionals[0] ?? join(ROOT, "dist", "ai-observer-linux-x64"));
  if (!existsSync(executable)) {
    console.error(`no executable at ${executable}; build it first: bun scripts/build-binaries.ts --target linux-x64`);
    process.exit(1);
  }
  const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const commit = gitCommit(ROOT);
  const started = performance.now();

  checkFormats(dirname(executable));
  checkReleaseFiles(dirname(executable));

  const work = mkdtempSync(join(tmpdir(), "ai-observer-smoke-"));
  check("temporary folder is outside the repository", !resolve(work).startsWith(`${ROOT}/`), work);
  const binDir = join(work, "bin");
  const home = join(work, "home");
  const cwd = join(work, "cwd");
  for (const dir of [binDir, home, cwd]) mkdirSync(dir, { recursive: true });
  const exe = join(binDir, "ai-observer");
  cpSync(executable, exe);
  const path = bunFreePath(work);
  check("PATH has no bun", !path.split(":").some((dir) => existsSync(join(dir, "bun"))), path);
  const env = { PATH: path, HOME: home };

  try {
    // --version and --help: no DuckDB involved.
    const versionRun = run([exe, "--version"], { cwd, env });
    check(`--version exit 0 (${versionRun.ms} ms)`, versionRun.exitCode === 0, versionRun.stderr.trim());
    checkVersionText(tally, versionRun.stdout, version, commit);
    const helpRun = run([exe, "--help"], { cwd, env });
    check(`--help exit 0 (${helpRun.ms} ms)`, helpRun.exitCode === 0 && helpRun.stdout.includes("export"));
    check("nothing unpacked before DuckDB is used", !existsSync(join(home, ".cache", "ai-observer")));

    // Export from a small database, with the repository's Bun making the database.
    const db = join(work, "data", "smoke.duckdb");
    mkdirSync(dirname(db), { recursive: true });
    const made = Bun.spawnSync([process.execPath, join(ROOT, "scripts", "smoke", "make-smoke-db.ts"), db], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
    });
    if (!check("small database created", made.exitCode === 0, made.stderr.toString().trim())) return;

    const out1 = join(work, "out1");
    const first = run([exe, "export", "all", "--db", db, "--output", out1, "--yes", "--json"], { cwd, env });
    const viewsDb = checkExport("export (first run, unpacks DuckDB)", first, out1, SMOKE_COUNTS);
    const cacheRoot = join(home, ".cache", "ai-observer");
    const cacheDirs = existsSync(cacheRoot) ? readdirSync(cacheRoot) : [];
    const libraries = cacheDirs.filter((name) => name.startsWith("duckdb-"));
    check("DuckDB unpacked once into ~/.cache/ai-observer", libraries.length === 1, cacheDirs.join(", "));
    check("views database template kept there too", cacheDirs.some((name) => /^views-duckdb-.*\.duckdb$/.test(name)), cacheDirs.join(", "));

    const out2 = join(work, "out2");
    const second = run([exe, "export", "all", "--db", db, "--output", out2, "--yes", "--json"], { cwd, env });
    checkExport("export (second run, cached DuckDB)", second, out2, SMOKE_COUNTS);

    if (viewsDb) {
      try {
        const counts = await countViews(viewsDb, out1);
        check("views database reopens and counts the Parquet rows", JSON.stringify(counts) === JSON.stringify(SMOKE_COUNTS), JSON.stringify(counts));
      } catch (error) {
        check("views database reopens", false, String(error));
      }
    }

    // Export from session files: a copy of --sessions (default: the shared samples) becomes HOME.
    const sessionsHome = join(work, "sessions-home");
    if (values.sessions) cpSync(resolve(values.sessions), sessionsHome, { recursive: true });
    else if (existsSync(SAMPLES)) layOutSamples(sessionsHome);
    if (existsSync(sessionsHome)) {
      /** The row counts an export printed with --json ({} when it failed). */
      const countsOf = (result: RunResult) => (result.exitCode === 0 ? JSON.parse(result.stdout).counts : {});
      const out3 = join(work, "out3");
      const fromFiles = run([exe, "export", "all", "--from-files", "--output", out3, "--yes", "--json"], {
        cwd,
        env: { PATH: path, HOME: sessionsHome },
      });
      checkExport("export --from-files", fromFiles, out3);
      const counts = countsOf(fromFiles);
      check("export --from-files found usage in the sessions", counts.logs > 0 && counts.metrics > 0, JSON.stringify(counts));
      // Parse worker threads forced on for these small files (workers the executable cannot start fall back to this thread, so this checks the results, not that workers ran).
      const out4 = join(work, "out4");
      const pooled = run([exe, "export", "all", "--from-files", "--output", out4, "--yes", "--json"], {
        cwd,
        env: { PATH: path, HOME: sessionsHome, AI_OBSERVER_PARSE_WORKERS: "2" },
      });
      const pooledCounts = countsOf(pooled);
      check("export --from-files with AI_OBSERVER_PARSE_WORKERS=2: the same counts", JSON.stringify(pooledCounts) === JSON.stringify(counts), `${JSON.stringify(pooledCounts)} vs ${JSON.stringify(counts)}`);
      // Claude lines selected on the scan worker (src/staging/scan-worker.ts, a second entry point of the build).
      const out5 = join(work, "out5");
      const prefetched = run([exe, "export", "all", "--from-files", "--output", out5, "--yes", "--json"], {
        cwd,
        env: { PATH: path, HOME: sessionsHome, AI_OBSERVER_PARSE_WORKERS: "0", AI_OBSERVER_LINE_PREFETCH: "1" },
      });
      const prefetchedCounts = countsOf(prefetched);
      check("export --from-files with AI_OBSERVER_LINE_PREFETCH=1: the same counts", JSON.stringify(prefetchedCounts) === JSON.stringify(counts), `${JSON.stringify(prefetchedCounts)} vs ${JSON.stringify(counts)}`);
      // Row groups filled and encoded on table workers (src/staging/table-worker.ts, another entry point of the build): the
      // verbose preview says how many ran, and the Parquet files are byte for byte those written on the main thread.
      const out8 = join(work, "out8");
      const tabled = run([exe, "export", "all", "--from-files", "--output", out8, "--yes", "--verbose"], {
        cwd,
        env: { PATH: path, HOME: sessionsHome, AI_OBSERVER_TABLE_WORKERS: "2" },
      });
      const parquetOf = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".parquet")).sort() : []);
      const sameParquet = parquetOf(out3).length > 0 && parquetOf(out3).every((name) => existsSync(join(out8, name)) && readFileSync(join(out8, name)).equals(readFileSync(join(out3, name))));
      check(
        "export --from-files with AI_OBSERVER_TABLE_WORKERS=2: written on worker threads, the same Parquet files",
        tabled.exitCode === 0 && /Row groups written on [12] worker threads?/.test(tabled.stdout) && sameParquet,
        `exit ${tabled.exitCode}, ${tabled.stdout.match(/Row groups written.*/)?.[0] ?? "no table workers"}, files ${sameParquet ? "equal" : "differ"}`,
      );
      // A heavy parse of 64 MB or more starts itself again with mimalloc's purge delay (src/shared/allocator-restart.ts), Linux
      // only; a smaller one does not.
      if (process.platform === "linux") {
        // A temporary folder of their own: the run that starts itself again must leave nothing in it.
        const tmp = join(work, "tmp-restart");
        mkdirSync(tmp);
        const watched = async (home: string, out: string) =>
          runWatchingEnv([exe, "export", "all", "--from-files", "--output", join(work, out), "--yes", "--json"], { cwd, env: { PATH: path, HOME: home, TMPDIR: tmp } }, "MIMALLOC_PURGE_DELAY");
        const small = await watched(sessionsHome, "out6");
        check("export --from-files of a few MB goes on without a restart: the same counts", small.seen === null && JSON.stringify(countsOf(small)) === JSON.stringify(counts), `seen ${small.seen ?? "nothing"}`);
        // The same sessions and a 64 MB line no parse selects (it holds no "message"): they make the parse large.
        const paddedHome = join(work, "sessions-padded");
        cpSync(sessionsHome, paddedHome, { recursive: true });
        const padding = join(paddedHome, ".claude", "projects", "-smoke-padding");
        mkdirSync(padding, { recursive: true });
        writeFileSync(join(padding, "padding.jsonl"), `{"type":"file-history-snapshot","padding":"${"x".repeat(64 << 20)}"}\n`);
        const restarted = await watched(paddedHome, "out7");
        const restartedCounts = countsOf(restarted);
        check(
          "export --from-files of 64 MB restarts itself with MIMALLOC_PURGE_DELAY=500: the same counts",
          restarted.seen === "500" && JSON.stringify(restartedCounts) === JSON.stringify(counts),
          `seen ${restarted.seen ?? "nothing"}, ${JSON.stringify(restartedCounts)}`,
        );
        const left = readdirSync(tmp);
        check("the restarted export leaves nothing in the temporary folder (the run it replaced made no scratch folder)", left.length === 0, left.join(", ") || "empty");
      }
    } else {
      note("no --sessions folder and no shared samples; export --from-files not exercised");
    }

    // linux-arm64 under qemu, where installed.
    const arm64 = join(dirname(executable), "ai-observer-linux-arm64");
    const qemu = Bun.which("qemu-aarch64-static") ?? Bun.which("qemu-aarch64");
    if (qemu && existsSync(arm64)) {
      const sysroot = ["/usr/aarch64-linux-gnu", "/usr/gnemul/qemu-aarch64"].find((dir) => existsSync(join(dir, "lib", "ld-linux-aarch64.so.1")));
      const armEnv: Record<string, string> = { ...env, ...(sysroot ? { QEMU_LD_PREFIX: sysroot } : {}) };
      const armRun = run([qemu, arm64, "--version"], { cwd, env: armEnv });
      if (!sysroot && !existsSync("/lib/ld-linux-aarch64.so.1")) {
        note("qemu is installed but no aarch64 glibc (apt-get install libc6-arm64-cross libstdc++6-arm64-cross); linux-arm64 not run");
      } else {
        check(`linux-arm64 --version under ${basename(qemu)} (${armRun.ms} ms)`, armRun.exitCode === 0 && armRun.stdout.startsWith(`ai-observer ${version}\n`), (armRun.stdout + armRun.stderr).trim().split("\n")[0]);
      }
    } else {
      note(qemu ? "linux-arm64 executable not built; not run under qemu" : "no qemu-aarch64-static; linux-arm64 not run");
    }
  } finally {
    if (values.keep) note(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  console.log(`smoke finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

try {
  await main();
} catch (error) {
  check("smoke script ran to the end", false, error instanceof Error ? (error.stack ?? error.message) : String(error));
}
console.log(tally.summary("smoke"));
process.exit(tally.failed > 0 ? 1 : 0);
