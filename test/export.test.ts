import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFixtureDatabase, FIXTURE_ROWS } from "./helpers/fixture-db.ts";
import { parquetColumns, parquetCompressions, parquetRowCount, query, queryViewsDatabase, tableColumns } from "./helpers/duckdb-read.ts";
import { holdDatabase } from "./helpers/hold-database.ts";
import { runCli } from "./helpers/run-cli.ts";
import { tempDir } from "./helpers/temp.ts";
import { listZip } from "./helpers/zip-read.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

let db: string;

beforeAll(async () => {
  db = join(tempDir("db-"), "ai-observer.duckdb");
  await createFixtureDatabase(db);
}, 60_000);

const PARQUET_FILES = ["traces.parquet", "logs.parquet", "metrics.parquet"];

function rowsFor(predicate: (row: (typeof FIXTURE_ROWS)[number]) => boolean): number {
  return FIXTURE_ROWS.filter(predicate).length;
}

describe("export all from the database", () => {
  let out: string;
  let run: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    out = join(tempDir(), "export");
    run = await runCli(["export", "all", "--db", db, "--output", out, "--yes"]);
  }, 60_000);

  test("exits 0 and prints the preview, progress and summary with thousands separators", () => {
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("Export Preview\n==============\nSource: all (from database)\nTime range: all\n");
    expect(run.stdout).toContain(`  Traces:  ${FIXTURE_ROWS.length} spans`);
    expect(run.stdout).toContain(`Exporting traces... done (${FIXTURE_ROWS.length} rows)`);
    expect(run.stdout).toContain("Creating views database... done");
    expect(run.stdout).toMatch(/Export complete!\nOutput: .* \(4 files, [\d.]+ KB\)\n$/);
  });

  test("writes exactly the three Parquet files and the views database, nothing else", () => {
    expect(readdirSync(out).sort()).toEqual(["ai-observer-export-all-all.duckdb", ...PARQUET_FILES].sort());
  });

  test("Parquet files hold every row, every column in table order with the table's types, ZSTD-compressed", async () => {
    const tables = { "traces.parquet": "otel_traces", "logs.parquet": "otel_logs", "metrics.parquet": "otel_metrics" } as const;
    for (const [file, table] of Object.entries(tables)) {
      const path = join(out, file);
      expect(await parquetRowCount(path)).toBe(FIXTURE_ROWS.length);
      // DuckDB writes the JSON logical type, so even JSON columns read back as JSON.
      expect(await parquetColumns(path)).toEqual(await tableColumns(db, table));
      expect(await parquetCompressions(path)).toEqual(["ZSTD"]);
    }
  });

  test("timestamps keep their microseconds", async () => {
    const rows = await query("SELECT strftime(Timestamp, '%Y-%m-%d %H:%M:%S.%f') AS ts FROM read_parquet($f) ORDER BY Timestamp", {
      f: join(out, "logs.parquet"),
    });
    expect(rows.map((row) => row.ts)).toContain("2025-01-01 23:59:59.999999");
    expect(rows.map((row) => row.ts)).toContain("2025-01-05 00:00:00.000001");
  });

  test("the views database works from the export folder and from a moved copy", async () => {
    const viewsDb = "ai-observer-export-all-all.duckdb";
    const moved = join(tempDir("moved-"), "elsewhere");
    cpSync(out, moved, { recursive: true });
    for (const folder of [out, moved]) {
      const { row, stderr } = queryViewsDatabase(
        folder,
        viewsDb,
        "SELECT (SELECT count(*) FROM traces), (SELECT count(*) FROM logs), (SELECT count(*) FROM metrics), (SELECT count(*) FROM duckdb_tables())",
      );
      expect(stderr).toBe("");
      const n = FIXTURE_ROWS.length;
      expect(row).toEqual([n, n, n, 0]);
    }
    const views = await query("SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY view_name", {}, join(out, viewsDb));
    expect(views.map((view) => view.view_name)).toEqual(["logs", "metrics", "traces"]);
    for (const view of views) expect(String(view.sql)).toContain(`read_parquet('${view.view_name}.parquet')`);
  });
});

describe("filters", () => {
  test.each([
    [["claude-code", "--from", "2025-01-01", "--to", "2025-01-01"], "claude-code-2025-01-01-2025-01-01", rowsFor((r) => r.service === "claude-code" && r.timestamp < "2025-01-02")],
    [["all", "--from", "2025-01-02", "--to", "2025-01-02"], "all-2025-01-02-2025-01-02", rowsFor((r) => r.timestamp.startsWith("2025-01-02"))],
    [["codex"], "codex-all", rowsFor((r) => r.service === "codex_cli_rs")],
    [["GEMINI", "--from", "2025-01-03"], "gemini-2025-01-03-now", rowsFor((r) => r.service === "gemini_cli" && r.timestamp >= "2025-01-03")],
    [["all", "--to", "2025-01-01"], "all-start-2025-01-01", rowsFor((r) => r.timestamp < "2025-01-02")],
  ])("export %p writes the rows of the range and service, named %s", async (args, label, expected) => {
    expect(expected).toBeGreaterThan(0);
    const out = tempDir();
    const run = await runCli(["export", ...args, "--db", db, "--output", out, "--yes"]);
    expect(run.exitCode).toBe(0);
    expect(existsSync(join(out, `ai-observer-export-${label}.duckdb`))).toBe(true);
    for (const file of PARQUET_FILES) expect(await parquetRowCount(join(out, file))).toBe(expected);
    expect(run.stdout).toContain(`Exporting logs... done (${expected} ${expected === 1 ? "row" : "rows"})`);
  });

  test("the --to day includes 23:59:59.999999 and excludes the next midnight", async () => {
    const out = tempDir();
    await runCli(["export", "claude-code", "--to", "2025-01-01", "--db", db, "--output", out, "--yes"]);
    const rows = await query("SELECT max(strftime(Timestamp, '%Y-%m-%d %H:%M:%S.%f')) AS last FROM read_parquet($f)", { f: join(out, "metrics.parquet") });
    expect(rows[0]?.last).toBe("2025-01-01 23:59:59.999999");
  });

  test("all exports services beyond the three agents", async () => {
    const out = tempDir();
    await runCli(["export", "all", "--db", db, "--output", out, "--yes"]);
    const rows = await query("SELECT count(*)::INTEGER AS n FROM read_parquet($f) WHERE ServiceName = 'other-service'", { f: join(out, "logs.parquet") });
    expect(rows[0]?.n).toBe(1);
  });

  test("flags may stand before the source", async () => {
    const out = tempDir();
    const run = await runCli(["export", "--db", db, "--output", out, "--yes", "--from", "2025-01-02", "codex"]);
    expect(run.exitCode).toBe(0);
    expect(await parquetRowCount(join(out, "logs.parquet"))).toBe(rowsFor((r) => r.service === "codex_cli_rs"));
  });
});

describe("--zip", () => {
  test("writes one flat STORE archive with the four files in order and removes the originals", async () => {
    const out = tempDir();
    const run = await runCli(["export", "claude-code", "--zip", "--db", db, "--output", out, "--yes"]);
    expect(run.exitCode).toBe(0);
    const zipName = "ai-observer-export-claude-code-all.zip";
    expect(readdirSync(out)).toEqual([zipName]);
    const entries = await listZip(join(out, zipName));
    expect(entries.map((entry) => entry.name)).toEqual([...PARQUET_FILES, "ai-observer-export-claude-code-all.duckdb"]);
    expect(entries.every((entry) => entry.method === 0)).toBe(true);
    expect(run.stdout).toContain("Creating ZIP archive... done");
    expect(run.stdout).toContain("(1 file, ");

    const check = Bun.spawnSync(["unzip", "-tq", join(out, zipName)]);
    expect(check.exitCode).toBe(0);
    const extracted = tempDir("unzipped-");
    expect(Bun.spawnSync(["unzip", "-q", join(out, zipName), "-d", extracted]).exitCode).toBe(0);
    expect(await parquetRowCount(join(extracted, "metrics.parquet"))).toBe(rowsFor((r) => r.service === "claude-code"));
  });
});

describe("--json", () => {
  test("prints exactly one JSON object with source, range, counts, files and bytes", async () => {
    const out = tempDir();
    const run = await runCli(["export", "all", "--from", "2025-01-02", "--to", "2025-01-03", "--json", "--yes", "--db", db, "--output", out]);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout);
    const n = rowsFor((r) => r.timestamp >= "2025-01-02" && r.timestamp < "2025-01-04");
    expect(result).toMatchObject({
      schemaVersion: 1,
      command: "export",
      status: "exported",
      source: "all",
      range: { from: "2025-01-02", to: "2025-01-03", label: "2025-01-02-2025-01-03" },
      counts: { traces: n, logs: n, metrics: n },
      outputDir: out,
      zip: false,
    });
    expect(result.files.map((file: { name: string }) => file.name)).toEqual([...PARQUET_FILES, "ai-observer-export-all-2025-01-02-2025-01-03.duckdb"]);
    expect(result.bytes).toBe(result.files.reduce((sum: number, file: { bytes: number }) => sum + file.bytes, 0));
    expect(run.stdout).not.toContain("\u001b[");
  });

  test("without --yes it needs confirmation: exit 3 and an error object", async () => {
    const out = join(tempDir(), "never");
    const run = await runCli(["export", "all", "--json", "--db", db, "--output", out]);
    expect(run.exitCode).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "error", exitCode: 3 });
    expect(existsSync(out)).toBe(false);
  });
});

describe("confirmation and dry runs", () => {
  test("without a terminal and without --yes: exit 3, the message names --yes, nothing written", async () => {
    const out = join(tempDir(), "never");
    const run = await runCli(["export", "all", "--db", db, "--output", out], { stdin: "y\n" });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(/^error: .*--yes.*\n$/);
    expect(existsSync(out)).toBe(false);
  });

  test("--dry-run prints the preview and writes nothing", async () => {
    const out = join(tempDir(), "never");
    const run = await runCli(["export", "all", "--dry-run", "--zip", "--db", db, "--output", out]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("Files to create:");
    expect(run.stdout).toContain("ai-observer-export-all-all.zip (all files combined)");
    expect(run.stdout).toContain("Dry run - no files created.");
    expect(existsSync(out)).toBe(false);
  });

  test("a range without data says so, exits 0 and writes nothing", async () => {
    const out = join(tempDir(), "never");
    const run = await runCli(["export", "all", "--from", "2030-01-01", "--db", db, "--output", out, "--yes"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe("No data found to export.\n");
    expect(existsSync(out)).toBe(false);
  });
});

describe("output paths and re-export", () => {
  test.each(["with space", "it's", 'say "hi"', "ünïcødé-日本", "comma,semi;colon", "007"])("output folder %p works", async (name) => {
    const out = join(tempDir(), name);
    const run = await runCli(["export", "gemini", "--db", db, "--output", out, "--yes"]);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(await parquetRowCount(join(out, "logs.parquet"))).toBe(rowsFor((r) => r.service === "gemini_cli"));
    const views = await query("SELECT count(*)::INTEGER AS n FROM duckdb_views() WHERE NOT internal", {}, join(out, "ai-observer-export-gemini-all.duckdb"));
    expect(views[0]?.n).toBe(3);
  });

  test("a relative --output is resolved against the current folder", async () => {
    const cwd = tempDir();
    const run = await runCli(["export", "codex", "--db", db, "--output", "rel/out", "--yes"], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("Output: rel/out (4 files");
    expect(existsSync(join(cwd, "rel", "out", "logs.parquet"))).toBe(true);
  });

  test("re-exporting into the same folder replaces the export and leaves no temporary files", async () => {
    const out = tempDir();
    const first = await runCli(["export", "all", "--db", db, "--output", out, "--yes"]);
    expect(first.exitCode).toBe(0);
    const second = await runCli(["export", "codex", "--db", db, "--output", out, "--yes"]);
    expect(second.exitCode).toBe(0);
    const third = await runCli(["export", "codex", "--db", db, "--output", out, "--yes"]);
    expect(third.exitCode).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["ai-observer-export-all-all.duckdb", "ai-observer-export-codex-all.duckdb", ...PARQUET_FILES].sort());
    expect(await parquetRowCount(join(out, "traces.parquet"))).toBe(rowsFor((r) => r.service === "codex_cli_rs"));

    const zipped = await runCli(["export", "codex", "--zip", "--db", db, "--output", out, "--yes"]);
    const again = await runCli(["export", "codex", "--zip", "--db", db, "--output", out, "--yes"]);
    expect([zipped.exitCode, again.exitCode]).toEqual([0, 0]);
    expect(readdirSync(out).filter((name) => name.startsWith("."))).toEqual([]);
    expect((await listZip(join(out, "ai-observer-export-codex-all.zip"))).length).toBe(4);
  });

  test("an output path that is a file is an error (exit 1) and nothing is written", async () => {
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "keep me");
    const run = await runCli(["export", "all", "--db", db, "--output", file, "--yes"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`error: output path exists and is not a folder: ${file}\n`);
  });
});

describe("usage errors exit 2 with one line", () => {
  test.each([
    [["export", "all", "--output", "x", "--from", "2025-02-30"], "invalid date for --from: 2025-02-30"],
    [["export", "all", "--output", "x", "--to", "2025/01/02"], "invalid date for --to: 2025/01/02"],
    [["export", "all", "--output", "x", "--from", "2025-01-03", "--to", "2025-01-02"], "--from date must not be after --to date"],
    [["export", "claude", "--output", "x"], "invalid source: claude"],
    [["export", "all"], "--output is required"],
    [["export", "--output", "x"], "source argument is required"],
    [["export", "all", "--output", "x", "--bogus"], "unknown option: --bogus (see ai-observer export --help)"],
    [["frobnicate"], "unknown command: frobnicate"],
  ])("%p", async (args, message) => {
    const run = await runCli([...args, "--db", db]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toStartWith("error: ");
    expect(run.stderr).toContain(message);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

describe("database problems exit 1 with one line", () => {
  test("a missing database is reported and not created", async () => {
    const missing = join(tempDir(), "nope.duckdb");
    const run = await runCli(["export", "all", "--db", missing, "--output", tempDir(), "--yes"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`error: database not found: ${missing} (give --db PATH or set AI_OBSERVER_DATABASE_PATH)\n`);
    expect(existsSync(missing)).toBe(false);
  });

  test("AI_OBSERVER_DATABASE_PATH names the database when --db is absent", async () => {
    const out = tempDir();
    const run = await runCli(["export", "codex", "--output", out, "--yes"], { env: { AI_OBSERVER_DATABASE_PATH: db } });
    expect(run.exitCode).toBe(0);
    expect(await parquetRowCount(join(out, "logs.parquet"))).toBe(rowsFor((r) => r.service === "codex_cli_rs"));
  });

  test("a file that is not a DuckDB database", async () => {
    const bad = join(tempDir(), "bad.duckdb");
    writeFileSync(bad, "this is not a database\n".repeat(1000));
    const run = await runCli(["export", "all", "--db", bad, "--output", tempDir(), "--yes"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`error: not a DuckDB database, or the file is corrupt: ${bad}\n`);
  });

  test("a DuckDB database without AI Observer's tables", async () => {
    const other = join(tempDir(), "other.duckdb");
    await query(`ATTACH '${other}' AS o; CREATE TABLE o.t AS SELECT 1 AS x;`);
    const run = await runCli(["export", "all", "--db", other, "--output", tempDir(), "--yes"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("not an AI Observer database");
  });

  test("a database held by another process fails within seconds, saying it is in use", async () => {
    const holder = await holdDatabase(db);
    try {
      const started = Date.now();
      const run = await runCli(["export", "all", "--db", db, "--output", join(tempDir(), "x"), "--yes"]);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toMatch(/^error: database is in use by another process .*PID \d+.*\n$/);
    } finally {
      await holder.release();
    }
  });
});

describe("version and help", () => {
  test("--version prints version, commit and build date", async () => {
    const run = await runCli(["--version"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^ai-observer \d+\.\d+\.\d+\nGit commit: .+\nBuild date: .+\n$/);
  });

  test("export --help lists every flag", async () => {
    const run = await runCli(["export", "--help"]);
    expect(run.exitCode).toBe(0);
    for (const flag of ["--output", "--from", "--to", "--db", "--from-files", "--transcripts", "--no-transcripts", "--zip", "--dry-run", "--verbose", "--yes", "--json"]) {
      expect(run.stdout).toContain(flag);
    }
  });

  test("--help shows no default for --no-transcripts (cac's own would read as if it were on)", async () => {
    for (const command of ["export", "import"]) {
      const run = await runCli([command, "--help"]);
      const line = run.stdout.split("\n").find((text) => text.trim().startsWith("--no-transcripts"));
      expect([command, line?.toLowerCase().includes("the usage only"), line?.includes("default")]).toEqual([command, true, false]);
    }
  });

  test("--from-files with no session files says so, exits 0 and writes nothing", async () => {
    const none = tempDir("no-sessions-");
    const out = join(tempDir(), "x");
    const env = { AI_OBSERVER_CLAUDE_PATH: none, AI_OBSERVER_CODEX_PATH: none, AI_OBSERVER_GEMINI_PATH: none };
    const run = await runCli(["export", "all", "--from-files", "--output", out, "--yes"], { env });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe("No data found in source files.\n");
    expect(existsSync(out)).toBe(false);
  });
});
