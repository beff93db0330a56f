import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { query } from "./helpers/duckdb-read.ts";
import { runCli } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// Transcripts (the default, as in the Go AI Observer 0.3+; --no-transcripts leaves them out): the conversations as Go
// stores them, through import and export --from-files.
setDefaultTimeout(120_000);

const FIXTURES = join(import.meta.dir, "fixtures");
/** Rows of the two fixtures: Claude 6 (in 5 lines), Codex 7 (one per item). */
const TRANSCRIPT_ROWS = 6 + 7;
/** Events: the Claude lines with rows (5) and its activity metrics (a session, a turn, two pull requests), the Codex items (7). */
const TRANSCRIPT_EVENTS = 5 + 4 + 7;

function sessions(): Record<string, string> {
  const home = tempDir("transcripts-home-");
  cpSync(join(FIXTURES, "claude", "transcript"), join(home, "claude"), { recursive: true });
  cpSync(join(FIXTURES, "codex", "transcript"), join(home, "codex"), { recursive: true });
  mkdirSync(join(home, "gemini"));
  return sessionEnv(join(home, "claude"), join(home, "codex"), join(home, "gemini"));
}

const transcriptRows = (db: string) =>
  query("SELECT count(*)::INTEGER AS n FROM otel_logs WHERE json_extract_string(LogAttributes, '$.\"event.name\"') = 'transcript.message'", {}, db);

describe("transcripts", () => {
  test("export --from-files writes them by default and with --transcripts; --no-transcripts none, and without --from-files it is a usage error", async () => {
    const env = sessions();
    const count = (dir: string) => `SELECT count(*)::INTEGER AS n FROM read_parquet('${join(dir, "logs.parquet")}') WHERE json_extract_string(LogAttributes, '$."event.name"') = 'transcript.message'`;
    for (const flags of [[], ["--transcripts"]]) {
      const out = join(tempDir("transcripts-out-"), "out");
      const run = await runCli(["export", "all", "--from-files", ...flags, "--output", out, "--yes"], { env });
      expect([flags, run.exitCode, run.stderr]).toEqual([flags, 0, ""]);
      expect(await query(count(out))).toEqual([{ n: TRANSCRIPT_ROWS }]);
    }
    const plain = join(tempDir("transcripts-plain-"), "out");
    expect((await runCli(["export", "all", "--from-files", "--no-transcripts", "--output", plain, "--yes"], { env })).exitCode).toBe(0);
    expect(await query(count(plain))).toEqual([{ n: 0 }]);
    const misuse = await runCli(["export", "all", "--no-transcripts", "--output", plain, "--db", join(plain, "x.duckdb"), "--yes"]);
    expect(misuse.exitCode).toBe(2);
    expect(misuse.stderr).toStartWith("error: --no-transcripts leaves them out of the session files read: it goes with --from-files");
  });

  test("import adds them to files imported without them (--no-transcripts), once; a later import with --no-transcripts keeps them", async () => {
    const env = sessions();
    const db = join(tempDir("transcripts-db-"), "db.duckdb");
    expect((await runCli(["import", "all", "--no-transcripts", "--db", db, "--yes"], { env })).exitCode).toBe(0);
    expect(await transcriptRows(db)).toEqual([{ n: 0 }]);

    const run = await runCli(["import", "all", "--db", db, "--yes", "--json"], { env });
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    const result = JSON.parse(run.stdout);
    expect(result.totals.files).toMatchObject({ transcripts: 2, new: 0, modified: 0 });
    expect(result.totals.events).toMatchObject({ add: TRANSCRIPT_EVENTS, repaired: 0, removed: 0 });
    expect(await transcriptRows(db)).toEqual([{ n: TRANSCRIPT_ROWS }]);

    // The same rows as export --from-files --transcripts writes.
    const out = join(tempDir("transcripts-cmp-"), "out");
    expect((await runCli(["export", "all", "--from-files", "--transcripts", "--output", out, "--yes"], { env })).exitCode).toBe(0);
    for (const [table, file] of [["otel_logs", "logs.parquet"], ["otel_metrics", "metrics.parquet"]]) {
      const diff = await query(
        `ATTACH '${db}' AS d (READ_ONLY);
         SELECT (SELECT count(*) FROM (FROM d.${table} EXCEPT ALL FROM read_parquet($f)))::INTEGER AS only_db,
                (SELECT count(*) FROM (FROM read_parquet($f) EXCEPT ALL FROM d.${table}))::INTEGER AS only_files`,
        { f: join(out, file as string) },
      );
      expect([table, diff]).toEqual([table, [{ only_db: 0, only_files: 0 }]]);
    }
    // Active time in seconds (MetricUnit 's'); every other metric without a unit, as Go writes them.
    expect(await query("SELECT MetricName AS name, MetricUnit AS unit, count(*)::INTEGER AS n FROM otel_metrics WHERE MetricUnit IS NOT NULL GROUP BY ALL", {}, db)).toEqual([
      { name: "claude_code.active_time.total", unit: "s", n: 1 },
    ]);

    const again = await runCli(["import", "all", "--transcripts", "--db", db, "--yes"], { env });
    expect(again.stdout).toBe("No new or modified files found to import.\n");

    // A new parser version reads the files again; a run with --no-transcripts leaves their transcript rows.
    await query(`ATTACH '${db}' AS d; UPDATE d.ai_observer_import_files SET parser_version = NULL;`);
    const repaired = await runCli(["import", "all", "--no-transcripts", "--db", db, "--yes", "--json"], { env });
    expect(JSON.parse(repaired.stdout).totals.events.removed).toBe(0);
    expect(await transcriptRows(db)).toEqual([{ n: TRANSCRIPT_ROWS }]);
  });
});

test("the same transcript rows whether files are parsed here, with lines selected on the scan worker, or on parse workers", async () => {
  const home = tempDir("transcripts-paths-");
  cpSync(join(FIXTURES, "claude", "transcript"), join(home, "claude"), { recursive: true });
  cpSync(join(FIXTURES, "claude", "2026"), join(home, "claude", "2026"), { recursive: true });
  mkdirSync(join(home, "codex"));
  mkdirSync(join(home, "gemini"));
  const env = sessionEnv(join(home, "claude"), join(home, "codex"), join(home, "gemini"));
  const rowsWith = async (settings: Record<string, string>) => {
    const out = join(tempDir("transcripts-paths-out-"), "out");
    const run = await runCli(["export", "claude-code", "--from-files", "--transcripts", "--output", out, "--yes", "--verbose"], { env: { ...env, ...settings } });
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    const rows = await query(`SELECT Timestamp::VARCHAR AS t, Body AS body, LogAttributes::VARCHAR AS a FROM read_parquet('${join(out, "logs.parquet")}') ORDER BY ALL`);
    return { rows, stdout: run.stdout };
  };
  const here = await rowsWith({ AI_OBSERVER_PARSE_WORKERS: "0", AI_OBSERVER_LINE_PREFETCH: "0" });
  const scanned = await rowsWith({ AI_OBSERVER_PARSE_WORKERS: "0", AI_OBSERVER_LINE_PREFETCH: "1" });
  const workers = await rowsWith({ AI_OBSERVER_PARSE_WORKERS: "2" });
  expect(scanned.stdout).toContain("(lines read on the scan worker)");
  expect(workers.stdout).toContain("(parse worker)");
  // 6 of the transcript fixture, 6 texts of the 2026 fixtures
  expect(here.rows.filter((row) => String(row.a).includes("transcript.message"))).toHaveLength(12);
  expect(scanned.rows).toEqual(here.rows);
  expect(workers.rows).toEqual(here.rows);
});

/** A Claude project folder of a session tree of its own (no Codex or Gemini sessions), and the tree's settings. */
function claudeProject(name: string): { project: string; env: Record<string, string> } {
  const home = tempDir(`transcripts-${name}-`);
  const project = join(home, "claude", `-home-dev-${name}`);
  mkdirSync(project, { recursive: true });
  mkdirSync(join(home, "codex"));
  mkdirSync(join(home, "gemini"));
  return { project, env: sessionEnv(join(home, "claude"), join(home, "codex"), join(home, "gemini")) };
}

test("an empty tool result has a NULL Body, as the Go importers write it (export --from-files and import alike)", async () => {
  const { project, env } = claudeProject("empty");
  const line = (uuid: string, second: number, content: unknown) =>
    JSON.stringify({ type: "user", uuid, sessionId: "eeeeeeee-0000-4000-8000-000000000001", timestamp: `2026-11-03T10:00:0${second}.000Z`, message: { role: "user", content } });
  writeFileSync(
    join(project, "eeeeeeee-0000-4000-8000-000000000001.jsonl"),
    [
      line("e-1", 1, [{ type: "tool_result", tool_use_id: "toolu_e1", content: "" }]),
      line("e-2", 2, [{ type: "tool_result", tool_use_id: "toolu_e2", content: [] }]),
      line("e-3", 3, [{ type: "tool_result", tool_use_id: "toolu_e3", content: "done" }]),
    ].join("\n") + "\n",
  );
  const rows = `SELECT json_extract_string(LogAttributes, '$."tool.use_id"') AS id, Body AS body, json_extract_string(LogAttributes, '$."tool.output"') AS output
    FROM %TABLE% WHERE json_extract_string(LogAttributes, '$."event.name"') = 'transcript.message' ORDER BY id`;
  const expected = [
    { id: "toolu_e1", body: null, output: null },
    { id: "toolu_e2", body: null, output: null },
    { id: "toolu_e3", body: "done", output: "done" },
  ];
  const out = join(tempDir("transcripts-empty-out-"), "out");
  const exported = await runCli(["export", "claude-code", "--from-files", "--transcripts", "--output", out, "--yes"], { env });
  expect([exported.exitCode, exported.stderr]).toEqual([0, ""]);
  expect(await query(rows.replace("%TABLE%", `read_parquet('${join(out, "logs.parquet")}')`))).toEqual(expected);
  const db = join(tempDir("transcripts-empty-db-"), "db.duckdb");
  const imported = await runCli(["import", "claude-code", "--transcripts", "--db", db, "--yes"], { env });
  expect([imported.exitCode, imported.stderr]).toEqual([0, ""]);
  expect(await query(rows.replace("%TABLE%", "otel_logs"), {}, db)).toEqual(expected);
});

test("long lines: tool outputs and inputs of hundreds of KB give the texts a whole-line parse gives, Go-escaped in the attributes", async () => {
  const { project, env } = claudeProject("long");
  const session = "eeeeeeee-0000-4000-8000-000000000002";
  // Every kind of character whose escaping differs somewhere: HTML, line separators, controls, surrogates, non-ASCII.
  const pieces = ["code(x) {", " <div class=\"a\">", "&amp;", "\u2028", "\u2029", "é", "中", "\u{1F600}", "\t", "\r\n", "\n", "\\", "/", "\u0001", "\u001b[0m", "\u007f", "x".repeat(40)];
  let seed = 3;
  const text = (length: number) => {
    let out = "";
    while (out.length < length) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      out += pieces[seed % pieces.length];
    }
    return out;
  };
  const written = text(150_000);
  const output = text(300_000) + "\ud800"; // a lone surrogate, as JSON.stringify writes it: \ud800
  const blocks = [text(90_000), text(20)];
  const commitOutput = `${text(80_000)}\n[main 1a2b3c4] Add the long test\n 1 file changed`;
  const line = (uuid: string, second: number, type: string, message: unknown, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ type, uuid, sessionId: session, cwd: "/home/dev/long", timestamp: `2026-11-04T10:00:0${second}.000Z`, message, ...extra });
  writeFileSync(
    join(project, `${session}.jsonl`),
    [
      line("l-1", 1, "assistant", { id: "msg_1", role: "assistant", model: "claude-sonnet-4-6", content: [{ type: "tool_use", id: "toolu_w", name: "Write", input: { file_path: "/home/dev/long/big.txt", content: written } }] }),
      line("l-2", 2, "user", { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_w", content: "File created successfully at: /home/dev/long/big.txt" }] }, { toolUseResult: { type: "create", filePath: "/home/dev/long/big.txt", content: written } }),
      line("l-3", 3, "user", { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_r", content: output }] }),
      line("l-4", 4, "user", { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_b", content: blocks.map((block) => ({ type: "text", text: block })) }] }),
      line("l-5", 5, "assistant", { id: "msg_2", role: "assistant", model: "claude-sonnet-4-6", content: [{ type: "tool_use", id: "toolu_c", name: "Bash", input: { command: "git commit -m 'Add the long test'" } }] }),
      line("l-6", 6, "user", { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_c", content: commitOutput }] }, { toolUseResult: { stdout: commitOutput, stderr: "", interrupted: false } }),
    ].join("\n") + "\n",
  );
  const out = join(tempDir("transcripts-long-out-"), "out");
  const run = await runCli(["export", "claude-code", "--from-files", "--transcripts", "--output", out, "--yes"], { env });
  expect([run.exitCode, run.stderr]).toEqual([0, ""]);
  const logs = join(out, "logs.parquet");
  const rows = await query(`SELECT Body AS body, LogAttributes::VARCHAR AS attributes FROM read_parquet('${logs}')
    WHERE json_extract_string(LogAttributes, '$."event.name"') = 'transcript.message' ORDER BY json_extract_string(LogAttributes, '$."message.index"')::INTEGER`);
  const attributes = rows.map((row) => JSON.parse(String(row.attributes)) as Record<string, string>);
  const well = (value: string) => value.toWellFormed();
  expect(rows.map((row) => row.body)).toEqual(["Tool call: Write", "File created successfully at: /home/dev/long/big.txt", well(output), blocks.join("\n"), "Tool call: Bash", commitOutput]);
  expect(attributes.map((row) => row["tool.output"])).toEqual([undefined, "File created successfully at: /home/dev/long/big.txt", well(output), blocks.join("\n"), undefined, commitOutput]);
  expect(JSON.parse(attributes[0]?.["tool.input"] as string)).toEqual({ file_path: "/home/dev/long/big.txt", content: written });
  // Go's escaping: HTML characters and line separators as \u escapes, nothing raw.
  const raw = String(rows[2]?.attributes);
  const has = (part: string) => raw.includes(part);
  expect(["\\u003cdiv class=\\\"a\\\"\\u003e", "\\u0026amp;", "\\u2028", "\\u2029", "\\u001b[0m", "\\u0001", "\\t", "\\r\\n", "\\\\", "😀"].map(has)).toEqual(Array(10).fill(true));
  expect(["<", ">", "&", "\u2028", "\u2029", "\u0001", "\\u00"].map(has)).toEqual([false, false, false, false, false, false, true]);
  // The activity metrics read the large strings too: the written file's lines and the commit.
  const metrics = await query(`SELECT MetricName AS name, Value AS value FROM read_parquet('${join(out, "metrics.parquet")}')
    WHERE MetricName IN ('claude_code.lines_of_code.count', 'claude_code.commit.count') ORDER BY name`);
  expect(metrics).toEqual([
    { name: "claude_code.commit.count", value: 1 },
    { name: "claude_code.lines_of_code.count", value: written.split(/\r\n|\r|\n/).length },
  ]);
});

describe("the logs written while the files are parsed (LogStream)", () => {
  /** Logs and metrics of an export from files and of an import's database over the same range: both ways, nothing apart. */
  async function sameAsImported(env: Record<string, string>, range: string[], source = "all") {
    const out = join(tempDir("stream-out-"), "out");
    const run = await runCli(["export", source, "--from-files", ...range, "--output", out, "--yes", "--verbose"], { env });
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    const db = join(tempDir("stream-db-"), "db.duckdb");
    expect((await runCli(["import", "all", "--db", db, "--yes"], { env })).exitCode).toBe(0);
    const fromDb = join(tempDir("stream-db-out-"), "out");
    expect((await runCli(["export", source, "--db", db, ...range, "--output", fromDb, "--yes"], { env })).exitCode).toBe(0);
    // The database's rows carry their import.key; the files' export has no key attribute on rows without one.
    const columns = "Timestamp, ServiceName, Body, json_extract_string(LogAttributes, '$.\"event.name\"') AS event";
    const diff = await query(
      `SELECT (SELECT count(*) FROM (SELECT ${columns} FROM read_parquet($a) EXCEPT ALL SELECT ${columns} FROM read_parquet($b)))::INTEGER AS only_files,
              (SELECT count(*) FROM (SELECT ${columns} FROM read_parquet($b) EXCEPT ALL SELECT ${columns} FROM read_parquet($a)))::INTEGER AS only_db,
              (SELECT count(*) FROM read_parquet($a))::INTEGER AS n`,
      { a: join(out, "logs.parquet"), b: join(fromDb, "logs.parquet") },
    );
    return { diff: diff[0], stdout: run.stdout, out };
  }

  test("a range or one service: the rows an import and an export from the database give", async () => {
    const env = sessions();
    const all = await sameAsImported(env, []);
    expect(all.diff).toEqual({ only_files: 0, only_db: 0, n: expect.any(Number) });
    // The fixtures' first day only, then one service.
    const days = await query(`SELECT min(Timestamp)::DATE::VARCHAR AS first FROM read_parquet('${join(all.out, "logs.parquet")}')`);
    const first = String(days[0]?.first);
    const ranged = await sameAsImported(env, ["--from", first, "--to", first]);
    expect(ranged.diff?.only_files).toBe(0);
    expect(ranged.diff?.only_db).toBe(0);
    expect(Number(ranged.diff?.n)).toBeGreaterThan(0);
    expect(Number(ranged.diff?.n)).toBeLessThan(Number(all.diff?.n));
    const codex = await sameAsImported(env, [], "codex");
    expect(codex.diff).toEqual({ only_files: 0, only_db: 0, n: 7 + 2 }); // 7 transcript rows, the session's 2 usage logs
  });

  test("a streamed copy outranked by a later one (an earlier time): the files are parsed again, and the later copy's rows are the ones written", async () => {
    const { project, env } = claudeProject("outranked");
    const session = "eeeeeeee-0000-4000-8000-000000000003";
    const line = (second: number, text: string) =>
      JSON.stringify({ type: "user", uuid: "o-1", sessionId: session, timestamp: `2026-11-05T10:00:0${second}.000Z`, message: { role: "user", content: text } });
    // Read first: the copy with the later time; then the one with the earlier time, which outranks it.
    writeFileSync(join(project, "a.jsonl"), `${line(5, "the later copy")}\n`);
    writeFileSync(join(project, "b.jsonl"), `${line(1, "the earlier copy")}\n`);
    const { diff, stdout, out } = await sameAsImported(env, [], "claude-code");
    expect(diff).toEqual({ only_files: 0, only_db: 0, n: 1 });
    expect(await query(`SELECT Timestamp::VARCHAR AS t, Body AS body FROM read_parquet('${join(out, "logs.parquet")}')`)).toEqual([{ t: "2026-11-05 10:00:01", body: "the earlier copy" }]);
    // Each file listed twice by --verbose: parsed with the stream, then again without, which it says.
    expect(stdout.split("\n").filter((text) => text.includes("a.jsonl"))).toHaveLength(2);
    expect(stdout).toContain("Reading the files again: a transcript line's copy whose rows were already written was outranked by a later copy.\n");
  });
});
