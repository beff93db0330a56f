import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tableDifferences } from "./helpers/db-compare.ts";
import { query } from "./helpers/duckdb-read.ts";
import { withDatabase } from "./helpers/duckdb-write.ts";
import { createFixtureDatabase, FIXTURE_ROWS } from "./helpers/fixture-db.ts";
import { CLI_TMP, runCli, runCliJson } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// import --from-export: exports (folders and ZIPs) merged into a database, each row once. The Go original's exports:
// test/go-databases.test.ts ("living beside the Go importer").
setDefaultTimeout(120_000);

const FIXTURES = join(import.meta.dir, "fixtures");
const CLAUDE = join(FIXTURES, "claude", "projects");
const CODEX = join(FIXTURES, "codex", "sessions");
const GEMINI = join(FIXTURES, "gemini", "tmp");

const emptyFolder = () => tempDir("archive-empty-");

/** Rows of each table in `a` and not in `b` and the other way round, leaving ResourceAttributes (the machine) aside. */
async function differencesWithoutHost(a: string, b: string): Promise<Record<string, number>> {
  const differences = await tableDifferences(a, b, ["ResourceAttributes"]);
  return Object.fromEntries(Object.entries(differences).map(([table, { onlyA, onlyB }]) => [table, onlyA + onlyB]));
}

const ok = (args: string[], env?: Record<string, string>) => runCliJson(args, { env });

const NO_DIFFERENCES = { otel_logs: 0, otel_metrics: 0, otel_traces: 0 };

describe("import --from-export", () => {
  test("two machines with overlapping history: exactly the union, each response once; a second import adds nothing", async () => {
    const empty = emptyFolder();
    const root = tempDir("archive-machines-");
    // Machine A has Claude and Codex sessions, machine B the same Codex sessions and Gemini's.
    const a = join(root, "a");
    const b = join(root, "b");
    await ok(["export", "all", "--from-files", "--zip", "--host-name", "laptop-a", "--output", a], sessionEnv(CLAUDE, CODEX, empty));
    await ok(["export", "all", "--from-files", "--host-name", "laptop-b", "--output", b], sessionEnv(empty, CODEX, GEMINI));
    const direct = join(root, "direct.duckdb");
    await ok(["import", "all", "--db", direct], sessionEnv(CLAUDE, CODEX, GEMINI));

    const team = join(root, "team.duckdb");
    const first = await ok(["import", "--from-export", join(a, "ai-observer-export-all-all.zip"), "--db", team]);
    expect(first.status).toBe("imported");
    const second = await ok(["import", "--from-export", b, "--db", team]);
    expect(second.status).toBe("imported");
    // B's Codex rows were there already, from A.
    expect((second.events as { present: number }).present).toBeGreaterThan(0);
    expect(await differencesWithoutHost(team, direct)).toEqual(NO_DIFFERENCES);
    const hosts = await query("SELECT DISTINCT ServiceName AS s, ResourceAttributes->>'$.\"host.name\"' AS host FROM otel_metrics ORDER BY ALL", {}, team);
    expect(hosts).toEqual([
      { s: "claude-code", host: "laptop-a" },
      { s: "codex_cli_rs", host: "laptop-a" },
      { s: "gemini_cli", host: "laptop-b" },
    ]);

    for (const archive of [join(a, "ai-observer-export-all-all.zip"), b]) {
      const again = await ok(["import", "--from-export", archive, "--db", team]);
      expect(again).toMatchObject({ status: "nothing", add: { traces: 0, logs: 0, metrics: 0 } });
    }
    // A lake of the merged history, imported into a new database: the same rows again.
    const lake = join(root, "lake");
    await ok(["export", "all", "--db", team, "--layout", "hive", "--output", lake]);
    const fromLake = join(root, "from-lake.duckdb");
    await ok(["import", "--from-export", lake, "--db", fromLake]);
    expect(await differencesWithoutHost(fromLake, direct)).toEqual(NO_DIFFERENCES);
    // The same sessions imported from their files afterwards: their copies replace the archive's, nothing twice.
    await ok(["import", "all", "--db", team], sessionEnv(CLAUDE, CODEX, GEMINI));
    expect(await differencesWithoutHost(team, direct)).toEqual(NO_DIFFERENCES);
  });

  test("rows deleted after archiving come back, exactly; a dry run and a narrower range change nothing or only that", async () => {
    const root = tempDir("archive-restore-");
    const db = join(root, "db.duckdb");
    await ok(["import", "all", "--db", db], sessionEnv(CLAUDE, CODEX, GEMINI));
    const before = join(root, "before.duckdb");
    cpSync(db, before);
    const out = join(root, "out");
    await ok(["export", "all", "--db", db, "--output", out, "--zip"]);
    const zip = join(out, "ai-observer-export-all-all.zip");
    await ok(["delete", "all", "--from", "2026-01-01", "--to", "2026-01-31", "--db", db]);
    expect((await query("SELECT count(*)::INTEGER AS n FROM otel_metrics", {}, db))[0]?.n).toBe(0);

    const dry = await ok(["import", "--from-export", zip, "--db", db, "--dry-run"]);
    expect(dry.status).toBe("dry-run");
    expect((await query("SELECT count(*)::INTEGER AS n FROM otel_metrics", {}, db))[0]?.n).toBe(0);

    const claude = await ok(["import", "claude-code", "--from-export", zip, "--db", db, "--from", "2026-01-02", "--to", "2026-01-02"]);
    const claudeRows = await query("SELECT DISTINCT ServiceName AS s, Timestamp::DATE::VARCHAR AS d FROM otel_metrics ORDER BY ALL", {}, db);
    expect(claudeRows).toEqual([{ s: "claude-code", d: "2026-01-02" }]);
    expect((claude.add as { metrics: number }).metrics).toBeGreaterThan(0);

    const rest = await ok(["import", "--from-export", zip, "--db", db]);
    expect((rest.add as { metrics: number }).metrics + (claude.add as { metrics: number }).metrics).toBe((dry.add as { metrics: number }).metrics);
    expect(await tableDifferences(db, before)).toEqual(await tableDifferences(before, before));
  });

  test("rows without our key are compared whole: a copy the database holds is not added again, identical rows stay as many as the archive has", async () => {
    const root = tempDir("archive-unkeyed-");
    const source = join(root, "source.duckdb");
    await createFixtureDatabase(source);
    const first = "Timestamp = TIMESTAMP '2025-01-01 00:00:00'";
    const second = "Timestamp = TIMESTAMP '2025-01-01 12:30:00.123456'";
    await withDatabase(source, async (run) => {
      // The first metric row three times in all; two rows that differ from it only by NULL against '' or 'NULL'.
      await run(`INSERT INTO otel_metrics SELECT * FROM otel_metrics WHERE ${first}`);
      await run(`INSERT INTO otel_metrics SELECT * FROM otel_metrics WHERE ${first} LIMIT 1`);
      await run(`INSERT INTO otel_metrics SELECT * REPLACE ('' AS MetricDescription) FROM otel_metrics WHERE ${first} LIMIT 1`);
      await run(`INSERT INTO otel_metrics SELECT * REPLACE ('NULL' AS MetricDescription) FROM otel_metrics WHERE ${first} LIMIT 1`);
      // The second log row and the second span twice.
      await run(`INSERT INTO otel_logs SELECT * FROM otel_logs WHERE ${second}`);
      await run(`INSERT INTO otel_traces SELECT * FROM otel_traces WHERE ${second}`);
    });
    const out = join(root, "out");
    await ok(["export", "all", "--db", source, "--output", out]);
    // The database holds the first five rows of each table once: of the copies, it lacks all but one.
    const db = join(root, "db.duckdb");
    await createFixtureDatabase(db, FIXTURE_ROWS.slice(0, 5));
    const rest = FIXTURE_ROWS.length - 5;

    const merged = await ok(["import", "--from-export", out, "--db", db]);
    expect(merged).toMatchObject({ status: "imported", add: { metrics: rest + 2 + 2, logs: rest + 1, traces: rest + 1 } });
    expect(await tableDifferences(db, source)).toEqual(await tableDifferences(source, source));
    const again = await ok(["import", "--from-export", out, "--db", db]);
    expect(again).toMatchObject({ status: "nothing", add: { traces: 0, logs: 0, metrics: 0 } });
  });

  test("conversations with long texts: the archive's rows and events are those of an import from the session files", async () => {
    const root = tempDir("archive-long-");
    const claude = join(root, "claude");
    cpSync(join(FIXTURES, "claude", "transcript"), claude, { recursive: true });
    // Texts past the size from which attributes are read by pattern (src/db/attribute-macros.ts), with characters
    // that JSON escapes, in a user's prompt and in a tool's output.
    const long = `line "one"\n\ttab \\ ünïcode 日本 <div> & `.repeat(300);
    const file = join(claude, "-home-dev-app", "cccccccc-0000-4000-8000-000000000001.jsonl");
    writeFileSync(file, readFileSync(file, "utf8").replace("Fix the build — it fails on ünïcode paths", JSON.stringify(long).slice(1, -1)).replace('"text": "3 pass"', `"text": ${JSON.stringify(long)}`));
    const env = sessionEnv(claude, emptyFolder(), emptyFolder());
    const direct = join(root, "direct.duckdb");
    await ok(["import", "all", "--db", direct], env);
    const out = join(root, "out");
    await ok(["export", "all", "--from-files", "--output", out], env);
    const db = join(root, "db.duckdb");
    expect(await ok(["import", "--from-export", out, "--db", db])).toMatchObject({ status: "imported" });

    // The tool's output is in its row's attributes too (tool.output), the prompt only in its Body.
    const large = await query("SELECT count(*)::INTEGER AS n FROM otel_logs WHERE strlen(LogAttributes) > 4096", {}, db);
    expect(large).toEqual([{ n: 1 }]);
    expect(await differencesWithoutHost(db, direct)).toEqual(NO_DIFFERENCES);
    const events = (path: string) => query("SELECT tool, event_key, ts FROM ai_observer_import_events ORDER BY ALL", {}, path);
    expect(await events(db)).toEqual(await events(direct));
    expect(await ok(["import", "--from-export", out, "--db", db])).toMatchObject({ status: "nothing", add: { traces: 0, logs: 0, metrics: 0 } });
  });

  test("a corrupt or foreign archive, or a database: one line, exit code, nothing changed or created", async () => {
    const root = tempDir("archive-bad-");
    const db = join(root, "db.duckdb");
    await ok(["import", "all", "--db", db], sessionEnv(CLAUDE, CODEX, GEMINI));
    const out = join(root, "out");
    await ok(["export", "all", "--db", db, "--output", out]);
    const counted = await query("SELECT (SELECT count(*) FROM otel_logs)::INTEGER AS logs, (SELECT count(*) FROM otel_metrics)::INTEGER AS metrics", {}, db);

    const corrupt = join(root, "corrupt");
    cpSync(out, corrupt, { recursive: true });
    const metrics = readFileSync(join(corrupt, "metrics.parquet"));
    writeFileSync(join(corrupt, "metrics.parquet"), metrics.subarray(0, Math.floor(metrics.length / 2)));
    const fresh = join(root, "fresh.duckdb");
    const broken = await runCli(["import", "--from-export", corrupt, "--db", fresh, "--yes"]);
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toMatch(new RegExp(`^error: cannot read the export ${corrupt.replaceAll("/", "\\/")}: .+\\n$`));
    expect(existsSync(fresh)).toBe(false);

    const foreign = join(root, "foreign");
    mkdirSync(foreign);
    await query(
      `COPY (SELECT 1 AS a) TO '${join(foreign, "traces.parquet")}' (FORMAT PARQUET);
       COPY (SELECT 1 AS a) TO '${join(foreign, "logs.parquet")}' (FORMAT PARQUET);
       COPY (SELECT 1 AS a) TO '${join(foreign, "metrics.parquet")}' (FORMAT PARQUET);`,
    );
    const other = await runCli(["import", "--from-export", foreign, "--db", db, "--yes"]);
    expect([other.exitCode, other.stderr]).toEqual([1, `error: not an AI Observer export (traces.parquet has no column Timestamp, TraceId, SpanId, …): ${foreign}\n`]);

    const database = await runCli(["import", "--from-export", db, "--db", fresh, "--yes"]);
    expect(database.exitCode).toBe(2);
    expect(database.stderr).toContain("is a database (export it first");
    const misuse = await runCli(["import", "--from-export", out, "--db", db, "--no-transcripts", "--yes"]);
    expect([misuse.exitCode, misuse.stderr]).toEqual([2, "error: --no-transcripts is for session files; --from-export imports the rows of an export as they are\n"]);
    const needsYes = await runCli(["import", "--from-export", corrupt.replace("corrupt", "out"), "--db", fresh]);
    expect(needsYes.exitCode).toBe(3);

    expect(await query("SELECT (SELECT count(*) FROM otel_logs)::INTEGER AS logs, (SELECT count(*) FROM otel_metrics)::INTEGER AS metrics", {}, db)).toEqual(counted);
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(CLI_TMP).filter((entry) => entry.startsWith("ai-observer-archive-"))).toEqual([]);
  });
});
