import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { countByService, tableDifferences } from "./helpers/db-compare.ts";
import { claudeLine, claudeLines } from "./helpers/claude-lines.ts";
import { query } from "./helpers/duckdb-read.ts";
import { withDatabase } from "./helpers/duckdb-write.ts";
import { holdDatabase } from "./helpers/hold-database.ts";
import { runCli } from "./helpers/run-cli.ts";
import { SAMPLES, sampleTree, sessionEnv, type SessionTree } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

function importInto(db: string, env: Record<string, string>, ...flags: string[]) {
  return runCli(["import", "all", "--db", db, "--yes", ...flags], { env });
}

function emptyEnv(): Record<string, string> {
  const none = tempDir("no-sessions-");
  return sessionEnv(none, none, none);
}

/** A tree with only the given Claude files (name → content). */
function claudeTree(files: Record<string, string>): { root: string; env: Record<string, string> } {
  const root = join(tempDir("claude-"), "projects", "-home-me-project");
  mkdirSync(root, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), content);
  const none = tempDir("no-sessions-");
  return { root, env: sessionEnv(join(root, ".."), none, none) };
}

describe("import of the sample sessions", () => {
  let tree: SessionTree;
  let db: string;
  let first: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    tree = sampleTree();
    db = join(tempDir("import-"), "nested", "folder", "ai-observer.duckdb");
    first = await importInto(db, tree.env, "--json");
  });

  test("creates the database (and its folder) and imports every tool", async () => {
    expect(first.stderr).toBe("");
    expect(first.exitCode).toBe(0);
    const result = JSON.parse(first.stdout);
    expect(result).toMatchObject({ command: "import", status: "imported" });
    expect(result.tools.map((tool: { tool: string }) => tool.tool)).toEqual(["claude-code", "codex", "gemini"]);
    const counts = await countByService(db);
    expect(Object.keys(counts)).toEqual(["claude-code", "codex_cli_rs", "gemini_cli"]);
    expect(result.inserted.logs + result.inserted.metrics).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
  });

  test("stores what export --from-files produces, row for row", async () => {
    const fromFiles = tempDir("from-files-");
    const fromDb = tempDir("from-db-");
    expect((await runCli(["export", "all", "--from-files", "--output", fromFiles, "--yes"], { env: tree.env })).exitCode).toBe(0);
    expect((await runCli(["export", "all", "--db", db, "--output", fromDb, "--yes"])).exitCode).toBe(0);
    for (const file of ["logs.parquet", "metrics.parquet"]) {
      const diff = await query(
        `SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet($a) EXCEPT ALL SELECT * FROM read_parquet($b)))::INTEGER AS x,
                (SELECT count(*) FROM (SELECT * FROM read_parquet($b) EXCEPT ALL SELECT * FROM read_parquet($a)))::INTEGER AS y,
                (SELECT count(*) FROM read_parquet($a))::INTEGER AS n`,
        { a: join(fromFiles, file), b: join(fromDb, file) },
      );
      expect(diff[0]).toMatchObject({ x: 0, y: 0 });
      expect(Number(diff[0]?.n)).toBeGreaterThan(0);
    }
  });

  test("with a date range, a service and --zip, export --from-files writes what an export of the database writes", async () => {
    const days = await query(
      "SELECT strftime(Timestamp, '%Y-%m-%d') AS day, count(*)::INTEGER AS n FROM otel_metrics GROUP BY day ORDER BY day",
      {},
      db,
    );
    expect(days.length).toBeGreaterThan(2);
    const from = String(days[1]?.day);
    const to = String(days[days.length - 2]?.day);
    for (const args of [["all", "--from", from, "--to", to], ["codex"], ["claude-code", "--from", from]]) {
      const fromFiles = tempDir("ff-");
      const fromDb = tempDir("db-");
      const a = await runCli(["export", ...args, "--from-files", "--output", fromFiles, "--yes", "--zip", "--json"], { env: tree.env });
      const b = await runCli(["export", ...args, "--db", db, "--output", fromDb, "--yes", "--zip", "--json"]);
      expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
      const counts = JSON.parse(a.stdout).counts;
      expect(counts).toEqual(JSON.parse(b.stdout).counts);
      expect(counts.logs + counts.metrics).toBeGreaterThan(0);
      for (const dir of [fromFiles, fromDb]) {
        const zip = readdirSync(dir).find((name) => name.endsWith(".zip")) as string;
        expect(Bun.spawnSync(["unzip", "-q", "-o", join(dir, zip), "-d", dir]).exitCode).toBe(0);
      }
      for (const file of ["logs.parquet", "metrics.parquet"]) {
        const diff = await query(
          `SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet($a) EXCEPT ALL SELECT * FROM read_parquet($b)))::INTEGER AS x,
                  (SELECT count(*) FROM (SELECT * FROM read_parquet($b) EXCEPT ALL SELECT * FROM read_parquet($a)))::INTEGER AS y`,
          { a: join(fromFiles, file), b: join(fromDb, file) },
        );
        expect(diff[0]).toEqual({ x: 0, y: 0 });
      }
    }
    const total = days.reduce((sum, day) => sum + Number(day.n), 0);
    const inRange = days.filter((day) => String(day.day) >= from && String(day.day) <= to).reduce((sum, day) => sum + Number(day.n), 0);
    expect(inRange).toBeGreaterThan(0);
    expect(inRange).toBeLessThan(total);
  });

  test("a DuckDB memory limit too small for the import: it is run again without the limit, rows exact", async () => {
    const limited = join(tempDir(), "limited.duckdb");
    const run = await runCli(["import", "all", "--db", limited, "--yes", "--json"], { env: { ...tree.env, AI_OBSERVER_MEMORY_LIMIT: "1MB" } });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const diff = await tableDifferences(limited, db);
    expect(diff.otel_logs).toMatchObject({ onlyA: 0, onlyB: 0 });
    expect(diff.otel_metrics).toMatchObject({ onlyA: 0, onlyB: 0 });
    expect(diff.otel_metrics?.rows).toBeGreaterThan(0);
  });

  test("a second import reads no file and adds nothing", async () => {
    const before = await countByService(db);
    const run = await importInto(db, tree.env);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe("No new or modified files found to import.\n");
    expect(await countByService(db)).toEqual(before);
  });

  test("token totals match the samples' reference numbers", async () => {
    // agtrace codex_session: 7 calls, total 27148 (input + output; SOURCES.md).
    const sessionId = JSON.parse(readFileSync(join(SAMPLES, "codex", "agtrace", "codex_session.jsonl"), "utf8").split("\n")[0] as string).payload.id;
    const rows = await query(
      `SELECT sum(Value)::BIGINT AS total, count(DISTINCT json_extract_string(Attributes, '$."import.key"'))::INTEGER AS calls FROM otel_metrics
       WHERE MetricName = 'codex_cli_rs.token.usage' AND json_extract_string(Attributes, '$.type') IN ('input', 'output')
         AND json_extract_string(Attributes, '$."import.key"') LIKE $prefix`,
      { prefix: `codex:${sessionId}:%` },
      db,
    );
    expect(rows[0]).toEqual({ total: 27148n, calls: 7 });
  });
});

describe("incremental import", () => {
  test("a file that grew yields exactly the rows of a fresh import", async () => {
    const sample = readFileSync(join(SAMPLES, "claude-code", "vibecodingtracker", "test_conversation.jsonl"), "utf8");
    const lines = sample.split("\n");
    const half = Math.floor(lines.length / 2);
    const growing = claudeTree({ "11111111-2222-4333-8444-555555555555.jsonl": `${lines.slice(0, half).join("\n")}\n` });
    const incremental = join(tempDir(), "incremental.duckdb");
    expect((await importInto(incremental, growing.env)).exitCode).toBe(0);
    appendFileSync(join(growing.root, "11111111-2222-4333-8444-555555555555.jsonl"), lines.slice(half).join("\n"));
    const second = await importInto(incremental, growing.env, "--json");
    expect(second.exitCode).toBe(0);
    expect(JSON.parse(second.stdout).tools[0].files.modified).toBe(1);

    const fresh = join(tempDir(), "fresh.duckdb");
    expect((await importInto(fresh, growing.env)).exitCode).toBe(0);
    const diff = await tableDifferences(incremental, fresh);
    expect(diff.otel_logs).toMatchObject({ onlyA: 0, onlyB: 0 });
    expect(diff.otel_metrics).toMatchObject({ onlyA: 0, onlyB: 0 });
    expect(diff.otel_metrics?.rows).toBeGreaterThan(0);
  });

  test("a later import's rows start a row group of their own beside a large one, which the checkpoint then leaves as it is", async () => {
    const tree = claudeTree({ "a.jsonl": claudeLines(20) });
    const db = join(tempDir(), "row-groups.duckdb");
    expect((await importInto(db, tree.env)).exitCode).toBe(0);
    // The stored rows grow to one row group of 10,000 rows or more (DuckDB's default row groups hold 122,880).
    await withDatabase(db, async (run) => {
      await run("INSERT INTO otel_logs SELECT otel_logs.* REPLACE (Timestamp - to_seconds(i + 1) AS Timestamp) FROM otel_logs, range(10000) r(i) LIMIT 10000");
    });
    const rowGroups = async () =>
      (await query("SELECT row_group_id, max(count)::INTEGER AS count FROM pragma_storage_info('otel_logs') GROUP BY ALL ORDER BY row_group_id", {}, db)).map((row) => Number(row.count));
    const before = await rowGroups();
    expect(before.length).toBe(1);
    expect(before[0]).toBeGreaterThan(10_000);
    writeFileSync(join(tree.root, "b.jsonl"), claudeLines(5, 100));
    const second = await importInto(db, tree.env, "--json");
    expect(second.exitCode).toBe(0);
    const added = JSON.parse(second.stdout).inserted.logs;
    expect(added).toBeGreaterThan(0);
    expect(await rowGroups()).toEqual([before[0] as number, added]);
  });

  test("a response split over lines, completed in a later run, is counted once with its complete usage", async () => {
    const partial = claudeLine(1, { output: 8 });
    const tree = claudeTree({ "a.jsonl": `${partial}\n` });
    const db = join(tempDir(), "db.duckdb");
    await importInto(db, tree.env);
    appendFileSync(join(tree.root, "a.jsonl"), `${claudeLine(1, { output: 167 })}\n`);
    const run = await importInto(db, tree.env, "--json");
    expect(JSON.parse(run.stdout).tools[0].events).toMatchObject({ add: 0, update: 1 });
    const rows = await query(
      "SELECT sum(Value)::INTEGER AS output, count(*)::INTEGER AS n FROM otel_metrics WHERE MetricName = 'claude_code.token.usage' AND Attributes LIKE '%\"type\":\"output\"%'",
      {},
      db,
    );
    expect(rows[0]).toEqual({ output: 167, n: 1 });
  });

  test("dedup across files holds across runs: a resumed session copying earlier lines adds only its new lines", async () => {
    const early = Array.from({ length: 5 }, (_, n) => claudeLine(n)).join("\n");
    const tree = claudeTree({ "first.jsonl": `${early}\n` });
    const db = join(tempDir(), "db.duckdb");
    await importInto(db, tree.env);
    writeFileSync(join(tree.root, "resumed.jsonl"), `${early}\n${claudeLine(5)}\n${claudeLine(6)}\n`);
    const run = await importInto(db, tree.env, "--json");
    // Per line a response and its transcript message; the new session's claude_code.session.count.
    expect(JSON.parse(run.stdout).tools[0].events).toMatchObject({ add: 2 + 2 + 1, alreadyImported: 5 + 5 });
    const logs = await query("SELECT count(*)::INTEGER AS n FROM otel_logs", {}, db);
    expect(logs[0]?.n).toBe(2 * 7); // an api_request and a transcript row per line
  });

  test("rows whose source file disappeared are kept", async () => {
    const tree = claudeTree({ "a.jsonl": `${claudeLine(1)}\n${claudeLine(2)}\n` });
    const db = join(tempDir(), "db.duckdb");
    await importInto(db, tree.env);
    rmSync(join(tree.root, "a.jsonl"));
    expect((await importInto(db, tree.env)).exitCode).toBe(0);
    expect((await query("SELECT count(*)::INTEGER AS n FROM otel_logs", {}, db))[0]?.n).toBe(2 * 2);
  });

  test("deleted rows stay deleted; --force brings them back without duplicating", async () => {
    const tree = claudeTree({ "a.jsonl": `${claudeLine(1)}\n${claudeLine(2)}\n` });
    const db = join(tempDir(), "db.duckdb");
    await importInto(db, tree.env);
    const before = await countByService(db);
    expect((await runCli(["delete", "all", "--month", "2025-03", "--db", db, "--yes"])).exitCode).toBe(0);
    expect(await countByService(db)).toEqual({});
    await importInto(db, tree.env);
    expect(await countByService(db)).toEqual({});
    const forced = await importInto(db, tree.env, "--force");
    expect(forced.stdout).toContain("Replaced (--force): 5 events"); // 2 responses, their 2 messages, the session
    expect(await countByService(db)).toEqual(before);
    await importInto(db, tree.env, "--force");
    expect(await countByService(db)).toEqual(before);
  });

  test("--from leaves earlier usage out, and a later import without it adds that usage", async () => {
    const tree = claudeTree({
      "a.jsonl": `${claudeLine(1, { day: "2025-03-01" })}\n${claudeLine(2, { day: "2025-03-20" })}\n`,
    });
    const db = join(tempDir(), "db.duckdb");
    const ranged = await importInto(db, tree.env, "--from", "2025-03-10", "--json");
    // Per line a response and its transcript message; the session's count has the time of its first line.
    expect(JSON.parse(ranged.stdout).tools[0].events).toMatchObject({ add: 2, outsideRange: 3 });
    const all = await importInto(db, tree.env, "--json");
    expect(JSON.parse(all.stdout).tools[0].events).toMatchObject({ add: 3, alreadyImported: 2 });
    expect((await query("SELECT count(*)::INTEGER AS n FROM otel_logs", {}, db))[0]?.n).toBe(2 * 2);
  });

  test("import_state holds the Go importer's row for each file read in full", async () => {
    const tree = claudeTree({ "a.jsonl": `${claudeLine(1)}\n` });
    const db = join(tempDir(), "db.duckdb");
    await importInto(db, tree.env);
    const rows = await query("SELECT source, file_path, file_hash, record_count FROM import_state", {}, db);
    const hash = new Bun.CryptoHasher("sha256").update(readFileSync(join(tree.root, "a.jsonl"))).digest("hex");
    // The events read: the response, its transcript message, the session's count.
    expect(rows).toEqual([{ source: "claude-code", file_path: join(tree.root, "a.jsonl"), file_hash: hash, record_count: 3 }]);
  });
});

describe("import rules", () => {
  test("--dry-run shows the summary and creates no database", async () => {
    const tree = claudeTree({ "a.jsonl": `${claudeLine(1)}\n` });
    const db = join(tempDir(), "db.duckdb");
    const run = await runCli(["import", "claude-code", "--db", db, "--dry-run"], { env: tree.env });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("Import Summary");
    expect(run.stdout).toContain("Dry run - no changes made.");
    expect(existsSync(db)).toBe(false);
  });

  test("without a terminal and without --yes: exit 3 naming --yes, no database left behind", async () => {
    const tree = claudeTree({ "a.jsonl": `${claudeLine(1)}\n` });
    const db = join(tempDir(), "db.duckdb");
    const run = await runCli(["import", "all", "--db", db], { env: tree.env });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain("--yes");
    expect(existsSync(db)).toBe(false);
  });

  test("nothing to import: exit 0 without --yes", async () => {
    const db = join(tempDir(), "db.duckdb");
    const run = await runCli(["import", "all", "--db", db], { env: emptyEnv() });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe("No new or modified files found to import.\n");
  });

  test.each([
    [["import"], "tool argument is required"],
    [["import", "claude"], "invalid tool: claude"],
    [["import", "all", "--from", "2025-13-01"], "invalid date for --from"],
  ])("%p is a usage error", async (args, message) => {
    const run = await runCli([...args, "--db", join(tempDir(), "x.duckdb")], { env: emptyEnv() });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
  });

  test("a database held by another process: exit 1 within seconds", async () => {
    const db = join(tempDir(), "held.duckdb");
    const tree = claudeTree({ "a.jsonl": `${claudeLine(1)}\n` });
    await importInto(db, tree.env);
    const holder = await holdDatabase(db);
    try {
      writeFileSync(join(tree.root, "b.jsonl"), `${claudeLine(2)}\n`);
      const run = await importInto(db, tree.env);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain("database is in use by another process");
    } finally {
      await holder.release();
    }
  });

  test("export --from-files never opens the database, so it works while the database is held", async () => {
    const tree = claudeTree({ "a.jsonl": `${claudeLine(1)}\n` });
    const out = tempDir();
    const run = await runCli(["export", "claude-code", "--from-files", "--output", out, "--yes", "--db", "/nonexistent/db.duckdb"], { env: tree.env });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("Source: claude-code (from files)");
    expect((await query("SELECT count(*)::INTEGER AS n FROM read_parquet($f)", { f: join(out, "metrics.parquet") }))[0]?.n).toBe(10 + 1); // and the session's count
  });
});

describe("unchanged files are known without starting DuckDB", () => {
  test("with nothing changed the database is not even opened (so a held database is no error), and any other write to it is noticed", async () => {
    const tree = claudeTree({ "a.jsonl": `${claudeLine(1)}\n` });
    const db = join(tempDir(), "db.duckdb");
    expect((await importInto(db, tree.env)).exitCode).toBe(0);
    expect(existsSync(`${db}.import-files.json`)).toBe(true);

    const holder = await holdDatabase(db, true);
    try {
      const run = await importInto(db, tree.env);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toBe("No new or modified files found to import.\n");
    } finally {
      await holder.release();
    }

    // A database replaced behind our back (here: removed, so a new one is made) is not trusted to hold the files.
    rmSync(db);
    const again = await importInto(db, tree.env, "--json");
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "imported", tools: [{ files: { new: 1 } }, {}, {}] });
  });
});
