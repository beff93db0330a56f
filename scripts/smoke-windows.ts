#!/usr/bin/env bun
/**
 * The Windows executable, run under Wine and held row for row to the Linux executable:
 *
 *   bun scripts/smoke-windows.ts [dist/ai-observer-windows-x64.exe] [--linux dist/ai-observer-linux-x64] [--keep]
 *
 * Needs Debian's `wine64` and `gcc-mingw-w64-x86-64-win32` (.ci/run installs them). A fresh Wine prefix in a
 * temporary folder gets the ProcessPrng stand-in of scripts/wine/ (Wine 8.0 lacks it, and every Bun 1.4 Windows
 * program needs it); then, each run by both executables on the same input:
 * - `--version` (its text), `--help`, and a usage error (exit 2, one line);
 * - `export all` of a small database, into a folder holding a dead run's lock and staging folder (process
 *   liveness and tree removal on Windows);
 * - `export all --from-files` on parse workers (checked to have run there) and, with `--zip`, with the lines
 *   selected on the scan worker; the ZIP's entries are unpacked and compared;
 * - `import all` into a new database, then `delete all` of a range;
 * - an import committed in parts (AI_OBSERVER_COMMIT_ROWS), the database closed and opened again between them;
 * - `upgrade-database` of a database in DuckDB's older storage format;
 * each Parquet file and each table is compared with the Linux executable's with EXCEPT ALL both ways (paths
 * written `Z:\…` by Windows are compared as `/…`). Last, nothing of ours is left in Windows' temporary folder,
 * and DuckDB was unpacked into %LOCALAPPDATA%\ai-observer\Cache.
 *
 * Ends with `smoke-windows: N passed, M failed` and exits 1 on any failure. What Wine proves and what it does not:
 * docs/binaries.md.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeNewDatabase } from "../src/db/new-database.ts";
import { removeTree } from "../src/shared/remove-tree.ts";
import { layOutSamples, SAMPLES } from "../test/helpers/session-tree.ts";
import { checkVersionText, gitCommit, parseJson, type RunResult, run, SmokeTally } from "./smoke/checks.ts";
import { parquetRelation, type RowDifference, tableRelation, withComparer } from "./smoke/compare-rows.ts";
import { makeSmokeDatabase, SMOKE_COUNTS } from "./smoke/make-smoke-db.ts";

const ROOT = resolve(import.meta.dir, "..");
const PARQUET_FILES = ["traces.parquet", "logs.parquet", "metrics.parquet"];
const tally = new SmokeTally();

/** Wine's drive Z: is the Linux root. */
function windowsPath(path: string): string {
  return `Z:${path.replaceAll("/", "\\")}`;
}

interface Machine {
  /** Runs the executable with these arguments (paths already in this machine's form) and extra environment. */
  run(args: string[], env?: Record<string, string>): RunResult;
  /** A Linux path as this machine's executable must be given it. */
  path(path: string): string;
}

function sameRows(label: string, difference: RowDifference): boolean {
  const detail = `${difference.rows} rows; ${difference.onlyFirst} only in Windows', ${difference.onlySecond} only in Linux'`;
  return tally.check(`${label}: the same rows as the Linux executable's`, difference.onlyFirst === 0 && difference.onlySecond === 0 && difference.rows >= 0, detail);
}

async function compareParquetFolders(label: string, windowsDir: string, linuxDir: string): Promise<void> {
  await withComparer({}, async (compare) => {
    for (const file of PARQUET_FILES) {
      const first = join(windowsDir, file);
      const second = join(linuxDir, file);
      if (!tally.check(`${label}: ${file} written by both`, existsSync(first) && existsSync(second))) continue;
      sameRows(`${label}: ${file}`, await compare(parquetRelation(first), parquetRelation(second)));
    }
  });
}

const ALL_TABLES = ["otel_traces", "otel_logs", "otel_metrics", "import_state", "ai_observer_import_files", "ai_observer_import_events"];

async function compareDatabases(label: string, windowsDb: string, linuxDb: string, tables = ALL_TABLES): Promise<void> {
  await withComparer({ w: windowsDb, l: linuxDb }, async (compare, columnsOf) => {
    for (const table of tables) {
      const columns = await columnsOf("l", table);
      if (!tally.check(`${label}: table ${table} in both`, columns.length > 0 && (await columnsOf("w", table)).length === columns.length)) continue;
      sameRows(`${label}: ${table}`, await compare(tableRelation("w", table, columns), tableRelation("l", table, columns)));
    }
  });
}

function exported(label: string, result: RunResult): Record<string, unknown> | undefined {
  const json = parseJson<Record<string, unknown>>(result.stdout);
  const ok = result.exitCode === 0;
  tally.check(`${label}: exit 0 (${result.ms} ms)`, ok, ok ? "" : `exit ${result.exitCode}: ${(result.stderr.trim() || result.stdout.trim()).slice(0, 300)}`);
  return ok ? json : undefined;
}

/** Both executables run the same command; returns [Windows, Linux]. */
function both(windows: Machine, linux: Machine, args: (machine: Machine) => string[], env: (machine: Machine) => Record<string, string> = () => ({})): [RunResult, RunResult] {
  return [windows.run(args(windows), env(windows)), linux.run(args(linux), env(linux))];
}

function findOurs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => /^\.?ai-observer/.test(name)) : [];
}

async function smoke(exe: string, linuxExe: string, work: string): Promise<void> {
  const wine = Bun.which("wine") ?? Bun.which("wine64");
  const gcc = Bun.which("x86_64-w64-mingw32-gcc");
  if (!tally.check("wine and the MinGW-w64 compiler are installed", wine !== null && gcc !== null, "apt-get install wine64 gcc-mingw-w64-x86-64-win32")) return;

  const prefix = join(work, "wine-prefix");
  const wineEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: join(work, "home"),
    WINEPREFIX: prefix,
    WINEDEBUG: "-all",
    // No Mono or Gecko installer prompts while the prefix is made.
    WINEDLLOVERRIDES: "mscoree,mshtml=",
    // Wine's server keeps its socket in a folder of its own in the temporary folder: in ours, so it goes with it.
    TMPDIR: join(work, "tmp"),
    TZ: "UTC",
  };
  mkdirSync(wineEnv.HOME as string);
  mkdirSync(wineEnv.TMPDIR as string);
  const dll = join(work, "bcryptprimitives.dll");
  const built = run([gcc as string, "-O2", "-shared", "-o", dll, join(ROOT, "scripts", "wine", "bcryptprimitives.c"), join(ROOT, "scripts", "wine", "bcryptprimitives.def"), "-lbcrypt"], { cwd: work, env: wineEnv });
  if (!tally.check("ProcessPrng stand-in DLL built", built.exitCode === 0, built.stderr.trim().slice(0, 300))) return;
  const boot = run([wine as string, "wineboot", "--init"], { cwd: work, env: wineEnv });
  run(["wineserver", "-w"], { cwd: work, env: wineEnv });
  const system32 = join(prefix, "drive_c", "windows", "system32");
  if (!tally.check(`Wine prefix made (${boot.ms} ms)`, existsSync(system32), boot.stderr.trim().slice(0, 300))) return;
  copyFileSync(dll, join(system32, "bcryptprimitives.dll"));

  const cwd = join(work, "cwd");
  mkdirSync(cwd);
  const underWine = (args: string[], env: Record<string, string>) => run([wine as string, exe, ...args], { cwd, env: { ...wineEnv, ...env } });
  const windows: Machine = {
    run: (args, env = {}) => {
      const result = underWine(args, env);
      // A start that Wine ended before our code ran: exit 1 after 16 ms with nothing printed, once in several CI runs,
      // where a start takes ~3 s and every failure of ours prints a line. Run once more, and say so.
      if (result.exitCode === 0 || result.stdout !== "" || result.stderr !== "" || result.ms >= 1000) return result;
      console.log(`note: Wine ended \`${args.join(" ")}\` after ${result.ms} ms (exit ${result.exitCode}) with nothing printed; run once more`);
      return underWine(args, env);
    },
    path: windowsPath,
  };
  const linux: Machine = {
    run: (args, env = {}) => run([linuxExe, ...args], { cwd, env: { PATH: "/usr/bin:/bin", HOME: join(work, "home"), TZ: "UTC", ...env } }),
    path: (path) => path,
  };

  // --version, --help and a usage error: the entry runs and exit codes reach the caller.
  const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const versionRun = windows.run(["--version"]);
  tally.check(`--version exit 0 (${versionRun.ms} ms)`, versionRun.exitCode === 0, versionRun.stderr.trim());
  checkVersionText(tally, versionRun.stdout, version, gitCommit(ROOT));
  const help = windows.run(["--help"]);
  tally.check("--help prints the commands", help.exitCode === 0 && help.stdout.includes("export [source]") && help.stdout.includes("import [tool]"), help.stdout.slice(0, 100));
  const usage = windows.run(["export", "nonsense", "--output", windows.path(join(work, "never"))]);
  tally.check("a usage error: exit 2, one line on stderr", usage.exitCode === 2 && /^error: .*\n$/.test(usage.stderr.replaceAll("\r\n", "\n")), `exit ${usage.exitCode}: ${usage.stderr.trim()}`);

  // export all from a small database, into a folder where a killed run left its lock and staging folder.
  const db = join(work, "smoke.duckdb");
  await makeSmokeDatabase(db);
  const out = (name: string) => join(work, "out", name);
  mkdirSync(join(out("db-w"), ".ai-observer-tmp-999999-abc"), { recursive: true });
  writeFileSync(join(out("db-w"), ".ai-observer.lock"), "999999\n");
  const [fromDb, fromDbLinux] = both(windows, linux, (m) => ["export", "all", "--db", m.path(db), "--output", m.path(out(m === windows ? "db-w" : "db-l")), "--yes", "--json"]);
  const fromDbJson = exported("export all from a database", fromDb);
  exported("export all from a database (Linux)", fromDbLinux);
  tally.check("export all from a database: the counted rows", JSON.stringify(fromDbJson?.counts) === JSON.stringify(SMOKE_COUNTS), JSON.stringify(fromDbJson?.counts));
  await compareParquetFolders("export all from a database", out("db-w"), out("db-l"));

  // Session files: the shared samples where they are, else the repository's own fixtures.
  const sessions = join(work, "sessions");
  let tree: { claude: string; codex: string; gemini: string };
  if (existsSync(SAMPLES)) {
    tree = layOutSamples(sessions);
  } else {
    tally.note(`no ${SAMPLES}; the repository's fixtures are used`);
    cpSync(join(ROOT, "test", "fixtures"), sessions, { recursive: true });
    tree = { claude: join(sessions, "claude"), codex: join(sessions, "codex"), gemini: join(sessions, "gemini") };
  }
  // One host name on both sides, so that their rows compare equal (host.name is recorded on rows from session files).
  const sessionEnv = (m: Machine) => ({
    AI_OBSERVER_CLAUDE_PATH: m.path(tree.claude),
    AI_OBSERVER_CODEX_PATH: m.path(tree.codex),
    AI_OBSERVER_GEMINI_PATH: m.path(tree.gemini),
    AI_OBSERVER_HOST_NAME: "smoke",
  });

  /**
   * `export all --from-files` (and `options`) of the sessions on both machines, into `<name>-w` and `<name>-l`, with
   * `settings` in the environment; each side's exit checked. The Windows side's run.
   */
  const exportBoth = (label: string, name: string, settings: Record<string, string>, options: string[] = []): RunResult => {
    const [onWindows, onLinux] = both(
      windows,
      linux,
      (m) => ["export", "all", "--from-files", ...options, "--output", m.path(out(`${name}-${m === windows ? "w" : "l"}`)), "--yes", "--verbose"],
      (m) => ({ ...sessionEnv(m), ...settings }),
    );
    exported(label, onWindows);
    exported(`${label} (Linux)`, onLinux);
    return onWindows;
  };

  const pooled = exportBoth("export --from-files on parse workers", "files", { AI_OBSERVER_PARSE_WORKERS: "2" });
  const onWorkers = pooled.stdout.split("\n").filter((line) => line.includes("(parse worker)")).length;
  tally.check("export --from-files: files were parsed on worker threads", onWorkers > 0, `${onWorkers} files`);
  await compareParquetFolders("export --from-files", out("files-w"), out("files-l"));

  const tabled = exportBoth("export --from-files on table workers", "tables", { AI_OBSERVER_TABLE_WORKERS: "2" });
  tally.check("export --from-files: row groups were written on worker threads", /Row groups written on [12] worker threads?/.test(tabled.stdout), tabled.stdout.match(/Row groups written.*/)?.[0] ?? "no table workers");
  await compareParquetFolders("export --from-files on table workers", out("tables-w"), out("tables-l"));

  const zipped = exportBoth("export --from-files --zip with the scan worker", "zip", { AI_OBSERVER_PARSE_WORKERS: "0", AI_OBSERVER_LINE_PREFETCH: "1" }, ["--zip"]);
  const prefetched = zipped.stdout.split("\n").filter((line) => line.includes("(lines read on the scan worker)")).length;
  tally.check("export --from-files --zip: lines were selected on the scan worker", prefetched > 0, `${prefetched} files`);
  for (const side of ["zip-w", "zip-l"]) {
    const zips = existsSync(out(side)) ? readdirSync(out(side)) : [];
    if (!tally.check(`${side}: one ZIP and nothing else`, zips.length === 1 && zips[0]?.endsWith(".zip") === true, zips.join(", "))) continue;
    const unzipped = run(["unzip", "-q", join(out(side), zips[0] as string), "-d", out(`${side}-entries`)], { cwd, env: wineEnv });
    tally.check(`${side}: the ZIP unpacks (unzip)`, unzipped.exitCode === 0, unzipped.stderr.trim());
  }
  await compareParquetFolders("export --from-files --zip", out("zip-w-entries"), out("zip-l-entries"));

  // A report read from inside the ZIP (its entries copied to a temporary folder and removed): the same rows as Linux'.
  const zipOf = (m: Machine) => {
    const side = out(m === windows ? "zip-w" : "zip-l");
    const name = existsSync(side) ? readdirSync(side).find((entry) => entry.endsWith(".zip")) : undefined;
    return m.path(join(side, name ?? "missing.zip"));
  };
  const [report, reportLinux] = both(windows, linux, (m) => ["report", "daily", "--in", zipOf(m), "--json"]);
  const reportRows = parseJson<{ rows: unknown[] }>(report.stdout)?.rows;
  tally.check("report daily --in the ZIP: exit 0, some days", report.exitCode === 0 && (reportRows?.length ?? 0) > 0, report.stderr.trim() || String(reportRows?.length));
  tally.check("report daily --in the ZIP: the same rows as Linux'", JSON.stringify(reportRows) === JSON.stringify(parseJson<{ rows: unknown[] }>(reportLinux.stdout)?.rows), reportLinux.stderr.trim());

  // import into a new database, then delete a range from it.
  const dbOf = (m: Machine) => join(work, m === windows ? "import-w.duckdb" : "import-l.duckdb");
  const [imported, importedLinux] = both(windows, linux, (m) => ["import", "all", "--db", m.path(dbOf(m)), "--yes", "--json"], sessionEnv);
  const importJson = exported("import all into a new database", imported);
  exported("import all (Linux)", importedLinux);
  tally.check("import all: the same summary as Linux'", JSON.stringify(importJson?.inserted) === JSON.stringify(parseJson<Record<string, unknown>>(importedLinux.stdout)?.inserted), JSON.stringify(importJson?.inserted));
  await compareDatabases("import all", dbOf(windows), dbOf(linux));

  // An import in parts: each COMMIT, then the database closed and opened again before the next part (commit-parts.ts).
  // A database of Codex's rows (it keeps its indexes), then Claude's rows at most 500 at a time.
  const partsOf = (m: Machine) => join(work, m === windows ? "parts-w.duckdb" : "parts-l.duckdb");
  const [first, firstLinux] = both(windows, linux, (m) => ["import", "codex", "--db", m.path(partsOf(m)), "--yes", "--json"], sessionEnv);
  exported("import codex into a new database", first);
  exported("import codex into a new database (Linux)", firstLinux);
  const [inParts, inPartsLinux] = both(windows, linux, (m) => ["import", "claude-code", "--db", m.path(partsOf(m)), "--yes", "--json"], (m) => ({ ...sessionEnv(m), AI_OBSERVER_COMMIT_ROWS: "500" }));
  const partsJson = exported("import claude-code in parts of 500 rows", inParts);
  const partsLinux = exported("import claude-code in parts of 500 rows (Linux)", inPartsLinux);
  tally.check("import in parts: more than one COMMIT, as many as Linux'", Number(partsJson?.commits) > 1 && partsJson?.commits === partsLinux?.commits, `${partsJson?.commits} and ${partsLinux?.commits}`);
  await compareDatabases("import in parts", partsOf(windows), partsOf(linux));

  // A lake of the imported database, reported on and imported into a new database (paths with Windows' separators).
  const lakeOf = (m: Machine) => join(work, m === windows ? "lake-w" : "lake-l");
  const [lake, lakeLinux] = both(windows, linux, (m) => ["export", "all", "--db", m.path(dbOf(m)), "--layout", "hive", "--output", m.path(lakeOf(m)), "--yes", "--json"]);
  const lakeJson = exported("export all --layout hive", lake);
  exported("export all --layout hive (Linux)", lakeLinux);
  tally.check("export --layout hive: some partition files", (((lakeJson?.lake as { written?: number } | undefined)?.written) ?? 0) > 0, JSON.stringify(lakeJson?.lake));
  const [lakeReport, lakeReportLinux] = both(windows, linux, (m) => ["report", "daily", "--in", m.path(lakeOf(m)), "--json"]);
  const lakeRows = parseJson<{ rows: unknown[] }>(lakeReport.stdout)?.rows;
  tally.check("report daily --in the lake: the same rows as Linux', some days", (lakeRows?.length ?? 0) > 0 && JSON.stringify(lakeRows) === JSON.stringify(parseJson<{ rows: unknown[] }>(lakeReportLinux.stdout)?.rows), lakeReport.stderr.trim());
  const mergedOf = (m: Machine) => join(work, m === windows ? "merged-w.duckdb" : "merged-l.duckdb");
  const [merged, mergedLinux] = both(windows, linux, (m) => ["import", "--from-export", m.path(lakeOf(m)), "--db", m.path(mergedOf(m)), "--yes", "--json"]);
  exported("import --from-export the lake", merged);
  exported("import --from-export the lake (Linux)", mergedLinux);
  await compareDatabases("import --from-export the lake", mergedOf(windows), mergedOf(linux), ["otel_traces", "otel_logs", "otel_metrics"]);
  const [deleted, deletedLinux] = both(windows, linux, (m) => ["delete", "all", "--from", "2025-01-01", "--to", "2025-12-31", "--db", m.path(dbOf(m)), "--yes", "--json"]);
  const deleteJson = exported("delete all of 2025", deleted);
  exported("delete all of 2025 (Linux)", deletedLinux);
  const deletedCounts = JSON.stringify(deleteJson?.deleted);
  tally.check("delete: the same rows deleted as Linux', some of them", deletedCounts === JSON.stringify(parseJson<Record<string, unknown>>(deletedLinux.stdout)?.deleted) && /[1-9]/.test(deletedCounts), deletedCounts);
  await compareDatabases("after delete", dbOf(windows), dbOf(linux));

  // upgrade-database of a database in DuckDB's older storage format (the Go server's): the same rows, the original kept.
  const olderOf = (m: Machine) => join(work, m === windows ? "older-w.duckdb" : "older-l.duckdb");
  for (const m of [windows, linux]) {
    await writeNewDatabase(olderOf(m), async (connection) => void (await connection.run(`ATTACH '${dbOf(linux)}' AS made (READ_ONLY); INSERT INTO otel_logs SELECT * FROM made.otel_logs; INSERT INTO otel_metrics SELECT * FROM made.otel_metrics; DETACH made`)));
  }
  const [upgraded, upgradedLinux] = both(windows, linux, (m) => ["upgrade-database", "--db", m.path(olderOf(m)), "--yes", "--json"]);
  const upgradeJson = exported("upgrade-database", upgraded);
  exported("upgrade-database (Linux)", upgradedLinux);
  tally.check("upgrade-database: v1.2 storage, the original kept beside it", JSON.stringify(upgradeJson?.storage) === JSON.stringify({ before: "v1.0.0+", after: "v1.2.0+" }) && existsSync(`${olderOf(windows)}.before-upgrade`), JSON.stringify(upgradeJson));
  await compareDatabases("upgrade-database", olderOf(windows), olderOf(linux), ["otel_traces", "otel_logs", "otel_metrics"]);

  // What the runs leave: nothing in Windows' temporary folder or the output folders but the results; DuckDB's cache where Windows keeps it.
  run(["wineserver", "-w"], { cwd: work, env: wineEnv });
  const users = join(prefix, "drive_c", "users");
  const profiles = existsSync(users) ? readdirSync(users).filter((name) => name !== "Public") : [];
  const leftovers = profiles.flatMap((user) => [join(users, user, "Temp"), join(users, user, "AppData", "Local", "Temp")].flatMap(findOurs));
  tally.check("nothing of ours left in Windows' temporary folder", profiles.length > 0 && leftovers.length === 0, leftovers.join(", ") || profiles.join(", "));
  const strays = ["db-w", "files-w", "zip-w"].flatMap((side) => (existsSync(out(side)) ? readdirSync(out(side)).filter((name) => name.startsWith(".")) : []));
  tally.check("no staging folder or lock left in the output folders", strays.length === 0, strays.join(", "));
  const caches = profiles.flatMap((user) => {
    const cache = join(users, user, "AppData", "Local", "ai-observer", "Cache");
    return existsSync(cache) ? readdirSync(cache).filter((name) => name.startsWith("duckdb-")) : [];
  });
  tally.check("DuckDB unpacked once into %LOCALAPPDATA%\\ai-observer\\Cache", caches.length === 1, caches.join(", "));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: Bun.argv.slice(2),
    options: { linux: { type: "string" }, keep: { type: "boolean", default: false } },
    allowPositionals: true,
  });
  const exe = resolve(positionals[0] ?? join(ROOT, "dist", "ai-observer-windows-x64.exe"));
  const linuxExe = resolve(values.linux ?? join(ROOT, "dist", "ai-observer-linux-x64"));
  for (const path of [exe, linuxExe]) {
    if (!existsSync(path)) {
      tally.check(`${path} is built`, false, "bun scripts/build-binaries.ts --no-archive --target linux-x64,windows-x64");
      return;
    }
  }
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), "ai-observer-wine-"));
  try {
    await smoke(exe, linuxExe, work);
  } finally {
    // Wine's server outlives the last program by a few seconds and holds the prefix: end it before removing.
    Bun.spawnSync(["wineserver", "-k"], { env: { ...process.env, WINEPREFIX: join(work, "wine-prefix"), TMPDIR: join(work, "tmp") }, stdout: "ignore", stderr: "ignore" });
    if (values.keep) tally.note(`kept ${work}`);
    else removeTree(work);
  }
  console.log(`smoke-windows finished in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

try {
  await main();
} catch (error) {
  tally.check("smoke-windows ran to the end", false, error instanceof Error ? (error.stack ?? error.message) : String(error));
}
console.log(tally.summary("smoke-windows"));
process.exit(tally.failed > 0 ? 1 : 0);
