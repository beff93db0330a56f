import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { appendFileSync, cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parquetRowCount, query } from "./helpers/duckdb-read.ts";
import { goDatabase, goExport, type GoVersion, WATCH_STATE, WATCHED_FILE } from "./helpers/go-database.ts";
import { runCli } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// Every command on databases as the Go AI Observer 0.2, 0.4 and 0.5 leave them (go-reference-2026 §1, §3.4-3.5).
setDefaultTimeout(120_000);

const FIXTURES = join(import.meta.dir, "fixtures");

function claudeSessions(): Record<string, string> {
  const home = tempDir("go-db-home-");
  cpSync(join(FIXTURES, "claude", "2026"), join(home, "claude"), { recursive: true });
  mkdirSync(join(home, "codex"));
  mkdirSync(join(home, "gemini"));
  return sessionEnv(join(home, "claude"), join(home, "codex"), join(home, "gemini"));
}

async function importStateColumns(db: string): Promise<string[]> {
  const rows = await query("SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'import_state' ORDER BY ordinal_position", {}, db);
  return rows.map((row) => String(row.c));
}

const GO_02_COLUMNS = ["source", "file_path", "file_hash", "imported_at", "record_count"];
const GO_04_COLUMNS = [...GO_02_COLUMNS, "byte_offset", "message_count", "parser_state"];

/** The storage format DuckDB records for a database file (`v1.0.0+`: DuckDB's default for a new file; `v1.2.0+`: ours). */
async function storageVersion(db: string): Promise<string> {
  const rows = await query(`ATTACH '${db}' AS d (READ_ONLY); SELECT tags['storage_version']::VARCHAR AS v FROM duckdb_databases() WHERE database_name = 'd'`);
  return String(rows[0]?.v);
}

test("a database our import creates is in DuckDB's v1.2 storage format; one the Go server made keeps its own", async () => {
  const env = claudeSessions();
  const ours = join(tempDir("storage-ours-"), "ai-observer.duckdb");
  expect((await runCli(["import", "all", "--db", ours, "--yes"], { env })).exitCode).toBe(0);
  expect(await storageVersion(ours)).toBe("v1.2.0+");
  const goMade = join(tempDir("storage-go-"), "ai-observer.duckdb");
  await goDatabase(goMade, "0.5");
  expect(await storageVersion(goMade)).toBe("v1.0.0+");
  expect((await runCli(["import", "all", "--db", goMade, "--yes"], { env })).exitCode).toBe(0);
  expect(await storageVersion(goMade)).toBe("v1.0.0+");
  // Both hold the same rows of ours (the Go database also has rows of its own).
  const rows = (db: string) => query("SELECT count(*)::INTEGER AS n, sum(Value)::DOUBLE AS v FROM otel_metrics WHERE Attributes LIKE '%import.key%'", {}, db);
  expect(Number((await rows(ours))[0]?.n)).toBeGreaterThan(0);
  expect(await rows(ours)).toEqual(await rows(goMade));
});

describe.each(["0.2", "0.4", "0.5"] as GoVersion[])("a database Go %s left", (version) => {
  async function database(): Promise<string> {
    const db = join(tempDir(`go-${version}-`), "ai-observer.duckdb");
    await goDatabase(db, version);
    return db;
  }

  test("import adds the session files' rows and records them in import_state in the shape the database has", async () => {
    const db = await database();
    const run = await runCli(["import", "all", "--db", db, "--yes", "--json"], { env: claudeSessions() });
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    expect(JSON.parse(run.stdout).totals.files.new).toBe(3);
    expect(await importStateColumns(db)).toEqual(version === "0.2" ? GO_02_COLUMNS : GO_04_COLUMNS);
    const ours = await query(`SELECT * EXCLUDE (file_path, file_hash, imported_at) FROM import_state WHERE file_path LIKE '%aaaaaaaa-%' ORDER BY file_path`, {}, db);
    expect(ours).toHaveLength(3);
    // As Go's full import writes them: a watcher then takes each file as imported to its end.
    for (const row of ours) expect(row).toEqual(version === "0.2" ? { source: "claude-code", record_count: expect.any(Number) } : { source: "claude-code", record_count: expect.any(Number), byte_offset: 0n, message_count: 0, parser_state: "" });
    if (version !== "0.2") {
      const watched = await query("SELECT byte_offset, message_count, parser_state FROM import_state WHERE file_path = $path", { path: WATCHED_FILE }, db);
      expect(watched).toEqual([{ byte_offset: 4096n, message_count: 7, parser_state: WATCH_STATE }]);
    }
    // The Go rows are still there, beside ours.
    const counts = await query("SELECT count(*)::INTEGER AS n FROM otel_metrics WHERE Attributes NOT LIKE '%import.key%'", {}, db);
    expect(counts).toEqual([{ n: version === "0.5" ? 4 : 1 }]);
  });

  test("export all writes every row; delete removes a range and leaves import_state alone", async () => {
    const db = await database();
    const out = join(tempDir(`go-${version}-out-`), "out");
    const exported = await runCli(["export", "all", "--db", db, "--output", out, "--yes"]);
    expect([exported.exitCode, exported.stderr]).toEqual([0, ""]);
    const tables = await query("SELECT (SELECT count(*) FROM otel_logs)::INTEGER AS logs, (SELECT count(*) FROM otel_metrics)::INTEGER AS metrics", {}, db);
    expect(await parquetRowCount(join(out, "logs.parquet"))).toBe(Number(tables[0]?.logs));
    expect(await parquetRowCount(join(out, "metrics.parquet"))).toBe(Number(tables[0]?.metrics));

    const stateBefore = await query("SELECT * FROM import_state ORDER BY file_path", {}, db);
    const deleted = await runCli(["delete", "all", "--from", "2026-06-01", "--to", "2026-06-30", "--db", db, "--yes", "--json"]);
    expect([deleted.exitCode, deleted.stderr]).toEqual([0, ""]);
    const left = await query("SELECT (SELECT count(*) FROM otel_logs)::INTEGER + (SELECT count(*) FROM otel_metrics)::INTEGER AS n", {}, db);
    expect(left).toEqual([{ n: 0 }]);
    expect(await query("SELECT * FROM import_state ORDER BY file_path", {}, db)).toEqual(stateBefore);
  });
});

describe("sources Go 0.5 receives only over OTLP", () => {
  test.each([
    ["opencode", 100],
    ["github-copilot", 50],
    ["copilot-chat", 25],
  ])("export %s writes its rows only; delete --service %s removes them", async (source, value) => {
    const db = join(tempDir("go-otlp-"), "ai-observer.duckdb");
    await goDatabase(db, "0.5");
    const out = join(tempDir("go-otlp-out-"), "out");
    const exported = await runCli(["export", source, "--db", db, "--output", out, "--yes"]);
    expect([exported.exitCode, exported.stderr]).toEqual([0, ""]);
    expect(await query(`SELECT ServiceName AS service, Value AS value FROM read_parquet('${join(out, "metrics.parquet")}')`)).toEqual([{ service: source, value }]);
    const deleted = await runCli(["delete", "metrics", "--service", source, "--from", "2026-06-20", "--to", "2026-06-20", "--db", db, "--yes", "--json"]);
    expect([deleted.exitCode, deleted.stderr]).toEqual([0, ""]);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ service: source, deleted: { metrics: 1 } });
    expect(await query("SELECT count(*)::INTEGER AS n FROM otel_metrics WHERE ServiceName = $s", { s: source }, db)).toEqual([{ n: 0 }]);
  });

  test.each([
    [["export", "opencode", "--from-files", "--output", "x", "--yes"], "from-files export is not supported for opencode because OpenCode is OTLP-only"],
    [["export", "copilot-chat", "--from-files", "--output", "x", "--yes"], "from-files export is not supported for copilot-chat because GitHub Copilot is OTLP-only"],
    [["import", "github-copilot", "--yes"], "import is not supported for github-copilot because GitHub Copilot is OTLP-only"],
  ])("%p is a usage error", async (args, message) => {
    const run = await runCli([...args, "--db", join(tempDir("go-otlp-usage-"), "none.duckdb")]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toStartWith(`error: ${message}`);
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

describe("the database import creates is what Go 0.5 creates", () => {
  test("import_state with the watch columns and their defaults; the 25 indexes", async () => {
    const db = join(tempDir("go-new-"), "ai-observer.duckdb");
    const run = await runCli(["import", "all", "--db", db, "--yes"], { env: claudeSessions() });
    expect(run.exitCode).toBe(0);
    expect(await importStateColumns(db)).toEqual(GO_04_COLUMNS);
    const indexes = await query("SELECT count(*)::INTEGER AS n FROM duckdb_indexes() WHERE index_name LIKE 'idx_%'", {}, db);
    expect(indexes).toEqual([{ n: 25 }]);
  });
});

describe("flags as the Go AI Observer takes them", () => {
  test("long flags with one dash (-output DIR, -from=DATE) work as with two", async () => {
    const db = join(tempDir("go-flags-"), "ai-observer.duckdb");
    await goDatabase(db, "0.5");
    const out = join(tempDir("go-flags-out-"), "out");
    const run = await runCli(["export", "opencode", "-db", db, "-output", out, "-from=2026-06-01", "-to", "2026-06-30", "-yes", "-json"]);
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    expect(JSON.parse(run.stdout)).toMatchObject({ source: "opencode", range: { from: "2026-06-01", to: "2026-06-30" }, counts: { metrics: 1 } });
  });

  test.each([
    [["export", "all", "--output", "x", "--pricing-mode", "calculate"], "unknown option: --pricing-mode (see ai-observer export --help)"],
    [["import", "all", "-skip-confirm"], "unknown option: -skip-confirm (see ai-observer import --help)"],
    [["delete", "all", "--purge"], "unknown option: --purge (see ai-observer delete --help)"],
  ])("an unknown flag is reported as typed: %p", async (args, message) => {
    const run = await runCli(args);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(`error: ${message}\n`);
  });
});

describe("living beside the Go importer: no response counted twice", () => {
  const CLAUDE_FAST = "fast/aaaaaaaa-0000-4000-8000-000000000002.jsonl";
  const CODEX_PARENT = "rollout-2026-10-01T09-00-00-019c0000-0000-7000-8000-0000000000a1.jsonl";

  function sessions(): { env: Record<string, string>; claude: string; codex: string } {
    const home = tempDir("go-beside-home-");
    const claude = join(home, "claude");
    const codex = join(home, "codex");
    mkdirSync(join(claude, "fast"), { recursive: true });
    mkdirSync(codex);
    mkdirSync(join(home, "gemini"));
    cpSync(join(FIXTURES, "claude", "2026", CLAUDE_FAST), join(claude, CLAUDE_FAST));
    cpSync(join(FIXTURES, "codex", "2026", CODEX_PARENT), join(codex, CODEX_PARENT));
    return { env: sessionEnv(claude, codex, join(home, "gemini")), claude, codex };
  }

  /**
   * The rows the Go 0.5 importer writes from the two files (go-reference §3.4-3.5, -2026 §2): for the Claude line an
   * api_request log and token rows (and their _user_facing twins) at its time, without session.id; for the Codex
   * rollout a conversation_starts log and the token_count deltas at their times (the compaction, only in its
   * token_usage_record, it does not see), and a transcript row (which we do not write); its import_state rows. Plus a
   * row of a file that is gone.
   */
  async function asGoImported(db: string, files: { claude: string; codex: string }, importedAt = "2026-11-01 12:00:00"): Promise<void> {
    const go = `'{}'`;
    await query(`ATTACH '${db}' AS d;
      INSERT INTO d.otel_logs (Timestamp, SeverityText, SeverityNumber, ServiceName, Body, ResourceAttributes, LogAttributes) VALUES
        (TIMESTAMP '2026-09-02 10:00:00', 'INFO', 9, 'claude-code', 'api_request', ${go},
         '{"event.name":"claude_code.api_request","import_source":"local_jsonl","model":"claude-opus-4-7","request_id":"req_f1","session.id":"aaaaaaaa-0000-4000-8000-000000000002"}'),
        (TIMESTAMP '2026-10-01 09:00:00', 'INFO', 9, 'codex_cli_rs', 'conversation_starts', ${go},
         '{"cli_version":"0.155.0","event.name":"codex.conversation_starts","import_source":"local_jsonl","model":"","model_provider":"openai","session.id":"019c0000-0000-7000-8000-0000000000a1"}'),
        (TIMESTAMP '2026-10-01 09:00:01', 'INFO', 9, 'codex_cli_rs', 'fix it', ${go},
         '{"event.name":"transcript.message","import_source":"local_jsonl","message.index":"0","message.role":"user","session.id":"019c0000-0000-7000-8000-0000000000a1"}');
      INSERT INTO d.otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value, ResourceAttributes, Attributes)
        SELECT ts::TIMESTAMP, service, name, 'sum', value, ${go}, attributes FROM (VALUES
          ('2026-09-02 10:00:00', 'claude-code', 'claude_code.token.usage', 1000, '{"import_source":"local_jsonl","model":"claude-opus-4-7","type":"input"}'),
          ('2026-09-02 10:00:00', 'claude-code', 'claude_code.token.usage_user_facing', 1000, '{"import_source":"local_jsonl","model":"claude-opus-4-7","type":"input"}'),
          ('2026-09-02 10:00:00', 'claude-code', 'claude_code.token.usage', 2000, '{"import_source":"local_jsonl","model":"claude-opus-4-7","type":"output"}'),
          ('2026-09-02 10:00:00', 'claude-code', 'claude_code.token.usage_user_facing', 2000, '{"import_source":"local_jsonl","model":"claude-opus-4-7","type":"output"}'),
          ('2026-10-01 09:00:05.001', 'codex_cli_rs', 'codex_cli_rs.token.usage', 10000, '{"import_source":"local_jsonl","model":"gpt-5.3-codex","type":"input"}'),
          ('2026-10-01 09:00:05.001', 'codex_cli_rs', 'codex_cli_rs.token.usage', 500, '{"import_source":"local_jsonl","model":"gpt-5.3-codex","type":"output"}'),
          ('2026-10-01 09:00:09.001', 'codex_cli_rs', 'codex_cli_rs.token.usage', 20000, '{"import_source":"local_jsonl","model":"gpt-5.3-codex","type":"input"}'),
          ('2026-10-01 09:00:09.001', 'codex_cli_rs', 'codex_cli_rs.token.usage', 800, '{"import_source":"local_jsonl","model":"gpt-5.3-codex","type":"output"}'),
          ('2025-05-05 05:05:05', 'claude-code', 'claude_code.token.usage', 77, '{"import_source":"local_jsonl","model":"claude-sonnet-4-5","type":"input"}')
        ) AS t(ts, service, name, value, attributes);
      INSERT OR REPLACE INTO d.import_state (source, file_path, file_hash, imported_at, record_count, byte_offset, message_count, parser_state) VALUES
        ('claude-code', '${join(files.claude, CLAUDE_FAST)}', 'go-hash-1', TIMESTAMP '${importedAt}', 1, 0, 0, ''),
        ('codex', '${join(files.codex, CODEX_PARENT)}', 'go-hash-2', TIMESTAMP '${importedAt}', 5, 0, 0, '');`);
  }

  const totals = (db: string) =>
    query(
      `SELECT ServiceName AS service, MetricName AS name, json_extract_string(Attributes, '$.type') AS type, sum(Value)::BIGINT AS value
       FROM otel_metrics WHERE MetricName LIKE '%.token.usage%' GROUP BY ALL ORDER BY ALL`,
      {},
      db,
    );

  test("an import into what Go imported counts each response once, by our rows; Go's other rows stay; the next import has nothing to do", async () => {
    const files = sessions();
    const fresh = join(tempDir("go-beside-fresh-"), "db.duckdb");
    expect((await runCli(["import", "all", "--db", fresh, "--yes"], { env: files.env })).exitCode).toBe(0);

    const db = join(tempDir("go-beside-"), "ai-observer.duckdb");
    await goDatabase(db, "0.5");
    await asGoImported(db, files);
    const run = await runCli(["import", "all", "--db", db, "--yes", "--json"], { env: files.env });
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    const result = JSON.parse(run.stdout);
    // claude: the api_request log and 4 token rows; codex: conversation_starts and 4 token rows
    expect(result.totals.goRows).toEqual({ logs: 2, metrics: 8 });

    // Every token total is the fresh import's, plus the Go rows of files we did not read (goDatabase's and the gone file's).
    const ours = await totals(fresh);
    const kept = await query(
      `SELECT ServiceName AS service, MetricName AS name, json_extract_string(Attributes, '$.type') AS type, sum(Value)::BIGINT AS value
       FROM otel_metrics WHERE MetricName LIKE '%.token.usage%' AND Attributes NOT LIKE '%import.key%' GROUP BY ALL ORDER BY ALL`,
      {},
      db,
    );
    expect(kept.map((row) => row.value)).toEqual([1200n + 77n, 25n, 50n, 100n]);
    const withOurs = await query(
      `SELECT ServiceName AS service, MetricName AS name, json_extract_string(Attributes, '$.type') AS type, sum(Value)::BIGINT AS value
       FROM otel_metrics WHERE MetricName LIKE '%.token.usage%' AND Attributes LIKE '%import.key%' GROUP BY ALL ORDER BY ALL`,
      {},
      db,
    );
    expect(withOurs).toEqual(ours);
    // Go's transcript row and the rows of goDatabase are kept.
    expect(await query("SELECT count(*)::INTEGER AS n FROM otel_logs WHERE LogAttributes LIKE '%transcript.message%' AND LogAttributes NOT LIKE '%import.key%'", {}, db)).toEqual([{ n: 2 }]);

    const again = await runCli(["import", "all", "--db", db, "--yes", "--json"], { env: files.env });
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "nothing", totals: { goRows: { logs: 0, metrics: 0 } } });
  });

  test("an export of ours imported into what Go imported: each response once, as when the files are imported", async () => {
    const files = sessions();
    const fresh = join(tempDir("go-beside-fresh-"), "db.duckdb");
    expect((await runCli(["import", "all", "--db", fresh, "--yes"], { env: files.env })).exitCode).toBe(0);
    const archive = join(tempDir("go-beside-archive-"), "out");
    expect((await runCli(["export", "all", "--from-files", "--output", archive, "--yes"], { env: files.env })).exitCode).toBe(0);

    const db = join(tempDir("go-beside-"), "ai-observer.duckdb");
    await goDatabase(db, "0.5");
    await asGoImported(db, files);
    const run = await runCli(["import", "--from-export", archive, "--db", db, "--yes", "--json"]);
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    expect(JSON.parse(run.stdout).goRows).toEqual({ logs: 2, metrics: 8 });
    const kept = await query(
      `SELECT sum(Value)::BIGINT AS value FROM otel_metrics WHERE MetricName LIKE '%.token.usage%' AND Attributes NOT LIKE '%import.key%' GROUP BY ServiceName, MetricName, Attributes->>'$.type' ORDER BY ALL`,
      {},
      db,
    );
    expect(kept.map((row) => row.value).sort()).toEqual([1200n + 77n, 25n, 50n, 100n].sort());
    const withOurs = await query(
      `SELECT ServiceName AS service, MetricName AS name, json_extract_string(Attributes, '$.type') AS type, sum(Value)::BIGINT AS value
       FROM otel_metrics WHERE MetricName LIKE '%.token.usage%' AND Attributes LIKE '%import.key%' GROUP BY ALL ORDER BY ALL`,
      {},
      db,
    );
    expect(withOurs).toEqual(await totals(fresh));
    const again = await runCli(["import", "--from-export", archive, "--db", db, "--yes", "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "nothing", add: { traces: 0, logs: 0, metrics: 0 }, goRows: { logs: 0, metrics: 0 } });
  });

  test("an export the Go original wrote, imported where our rows count the same lines: Go's copies of them stay out", async () => {
    const files = sessions();
    const db = join(tempDir("go-beside-ours-"), "db.duckdb");
    expect((await runCli(["import", "all", "--db", db, "--yes"], { env: files.env })).exitCode).toBe(0);
    const before = await totals(db);
    const goDb = join(tempDir("go-beside-go-"), "go.duckdb");
    await goDatabase(goDb, "0.5");
    await asGoImported(goDb, files);
    const goFolder = join(tempDir("go-beside-go-export-"), "export");
    await goExport(goDb, goFolder);

    const run = await runCli(["import", "--from-export", goFolder, "--db", db, "--yes", "--json"]);
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    // Ours keep counting the two files' lines; Go's rows of other files (goDatabase's, the gone file's) and its transcript rows come in.
    const ours = await query(
      `SELECT ServiceName AS service, MetricName AS name, json_extract_string(Attributes, '$.type') AS type, sum(Value)::BIGINT AS value
       FROM otel_metrics WHERE MetricName LIKE '%.token.usage%' AND Attributes LIKE '%import.key%' GROUP BY ALL ORDER BY ALL`,
      {},
      db,
    );
    expect(ours).toEqual(before);
    const theirs = await query(
      `SELECT sum(Value)::BIGINT AS value FROM otel_metrics WHERE MetricName LIKE '%.token.usage%' AND Attributes NOT LIKE '%import.key%' GROUP BY ServiceName, MetricName, Attributes->>'$.type' ORDER BY ALL`,
      {},
      db,
    );
    expect(theirs.map((row) => row.value).sort()).toEqual([1200n + 77n, 25n, 50n, 100n].sort());
    expect(await query("SELECT count(*)::INTEGER AS n FROM otel_logs WHERE LogAttributes LIKE '%transcript.message%' AND LogAttributes NOT LIKE '%import.key%'", {}, db)).toEqual([{ n: 2 }]);
    const again = await runCli(["import", "--from-export", goFolder, "--db", db, "--yes", "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "nothing" });
  });

  test("rows the Go importer adds after ours (a file it imported again) are removed by the next import, which says so", async () => {
    const files = sessions();
    const db = join(tempDir("go-after-"), "ai-observer.duckdb");
    expect((await runCli(["import", "all", "--db", db, "--yes"], { env: files.env })).exitCode).toBe(0);
    const before = await totals(db);
    // The files grow (a line without usage each), and the Go importer imports them again, whole.
    appendFileSync(join(files.claude, CLAUDE_FAST), `${JSON.stringify({ type: "user", sessionId: "aaaaaaaa-0000-4000-8000-000000000002", timestamp: "2026-09-02T10:01:00.000Z", message: { role: "user", content: "thanks" } })}\n`);
    appendFileSync(join(files.codex, CODEX_PARENT), `${JSON.stringify({ timestamp: "2026-10-01T09:01:00.000Z", type: "turn_context", payload: { model: "gpt-5.3-codex" } })}\n`);
    await asGoImported(db, files, "2026-12-01 08:00:00");
    expect(await totals(db)).not.toEqual(before);
    const run = await runCli(["import", "all", "--db", db, "--yes"], { env: files.env });
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    // claude: 1 log and 4 token rows; codex: 1 log and 4 token rows
    expect(run.stdout).toContain("Replaces: 5 rows the Go importer wrote for the same usage");
    const after = await totals(db);
    // What is left beyond our rows is the row of the file that is gone.
    expect(after).toEqual(
      before.map((row) => (row.service === "claude-code" && row.name === "claude_code.token.usage" && row.type === "input" ? { ...row, value: Number(row.value) + 77 } : row)).map((row) => ({ ...row, value: BigInt(row.value as bigint) })),
    );
  });
});

describe("living beside the Go importer, with transcripts", () => {
  const SESSION = "cccccccc-0000-4000-8000-000000000001";
  const FILE = `-home-dev-app/${SESSION}.jsonl`;

  /** Go 0.3+'s transcript rows of the fixture's first two lines, and one at a time where no line of ours is. */
  async function goTranscripts(db: string, claude: string): Promise<void> {
    const row = (time: string, body: string, index: number) =>
      `(TIMESTAMP '${time}', 'INFO', 9, 'claude-code', '${body}', '{}', '{"event.name":"transcript.message","import_source":"local_jsonl","message.index":"${index}","message.role":"assistant","session.id":"${SESSION}"}')`;
    await query(`ATTACH '${db}' AS d;
      INSERT INTO d.otel_logs (Timestamp, SeverityText, SeverityNumber, ServiceName, Body, ResourceAttributes, LogAttributes) VALUES
        ${row("2026-11-02 09:00:04", "I''ll run the tests.", 0)}, ${row("2026-11-02 09:00:04", "Tool call: Bash", 1)}, ${row("2026-11-02 09:00:30", "from another line", 2)};
      INSERT INTO d.import_state (source, file_path, file_hash, imported_at, record_count, byte_offset, message_count, parser_state)
        VALUES ('claude-code', '${join(claude, FILE)}', 'go-hash', TIMESTAMP '2026-11-03 00:00:00', 2, 0, 0, '');`);
  }

  function sessions(): { env: Record<string, string>; claude: string } {
    const home = tempDir("go-transcripts-home-");
    const claude = join(home, "claude");
    cpSync(join(FIXTURES, "claude", "transcript"), claude, { recursive: true });
    mkdirSync(join(home, "codex"));
    mkdirSync(join(home, "gemini"));
    return { env: sessionEnv(claude, join(home, "codex"), join(home, "gemini")), claude };
  }

  const goTranscriptRows = (db: string) =>
    query("SELECT Body AS body FROM otel_logs WHERE LogAttributes LIKE '%transcript.message%' AND LogAttributes NOT LIKE '%import.key%' ORDER BY ALL", {}, db);

  test("transcripts replace Go's transcript rows at the times of ours; with --no-transcripts they stay", async () => {
    const files = sessions();
    const withThem = join(tempDir("go-transcripts-"), "ai-observer.duckdb");
    await goDatabase(withThem, "0.5");
    await goTranscripts(withThem, files.claude);
    const run = await runCli(["import", "all", "--db", withThem, "--yes", "--json"], { env: files.env });
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    expect(JSON.parse(run.stdout).totals.goRows).toEqual({ logs: 2, metrics: 0 });
    // goDatabase's own transcript row (another session, another time) and the one at a time of no line of ours stay.
    expect(await goTranscriptRows(withThem)).toEqual([{ body: "fix the tests" }, { body: "from another line" }]);

    const without = join(tempDir("go-transcripts-none-"), "ai-observer.duckdb");
    await goDatabase(without, "0.5");
    await goTranscripts(without, files.claude);
    const plain = await runCli(["import", "all", "--no-transcripts", "--db", without, "--yes", "--json"], { env: files.env });
    expect(JSON.parse(plain.stdout).totals.goRows).toEqual({ logs: 0, metrics: 0 });
    expect(await goTranscriptRows(without)).toHaveLength(4);
  });
});
