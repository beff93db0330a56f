import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DuckDBMemory, type ImportSize } from "../src/db/duckdb-memory.ts";
import { commitWork, type Committer } from "../src/import/commit-parts.ts";
import { importFailure } from "../src/import/open-for-import.ts";
import { claudeLine, claudeLines } from "./helpers/claude-lines.ts";
import { tableDifferences } from "./helpers/db-compare.ts";
import { query } from "./helpers/duckdb-read.ts";
import { applyProgress } from "../src/ui/apply-progress.ts";
import { CLI, hermeticEnv, REPO_ROOT, runCli, runCliJson } from "./helpers/run-cli.ts";
import { sampleTree, sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

const FILES = 4;
const PER_FILE = 2_000;

/** A Claude project folder holding one line, and the environment that imports it alone. */
function sessions(): { root: string; env: Record<string, string> } {
  const root = join(tempDir("parts-sessions-"), "projects", "p");
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "small.jsonl"), `${claudeLine(999_999)}\n`);
  const none = tempDir("no-sessions-");
  return { root, env: sessionEnv(join(root, ".."), none, none) };
}

function addBigFiles(root: string): void {
  for (let file = 0; file < FILES; file++) writeFileSync(join(root, `big-${file}.jsonl`), claudeLines(PER_FILE, file * PER_FILE));
}

/** A database with its indexes (made before the first rows: fewer than a million), holding the small file's rows. */
async function indexedDatabase(env: Record<string, string>): Promise<string> {
  const db = join(tempDir("parts-db-"), "db.duckdb");
  expect((await runCliJson(["import", "all", "--db", db], { env })).status).toBe("imported");
  return db;
}

const indexCount = async (db: string) => Number((await query("SELECT count(*)::INTEGER AS n FROM duckdb_indexes()", {}, db))[0]?.n);
const pendingMarks = async (db: string) => Number((await query("SELECT count(*)::INTEGER AS n FROM ai_observer_pending", {}, db))[0]?.n);

/** The bookkeeping an import writes, as a multiset: the events (without when) and the files read. */
async function bookkeepingDifferences(a: string, b: string): Promise<number[]> {
  const rows = await query(
    `ATTACH '${a}' AS a (READ_ONLY); ATTACH '${b}' AS b (READ_ONLY);
     SELECT (SELECT count(*) FROM (SELECT tool, event_key, rank, ts, file_path, unpriced FROM a.ai_observer_import_events
              EXCEPT ALL SELECT tool, event_key, rank, ts, file_path, unpriced FROM b.ai_observer_import_events))::INTEGER AS events_a,
            (SELECT count(*) FROM (SELECT tool, event_key, rank, ts, file_path, unpriced FROM b.ai_observer_import_events
              EXCEPT ALL SELECT tool, event_key, rank, ts, file_path, unpriced FROM a.ai_observer_import_events))::INTEGER AS events_b,
            (SELECT count(*) FROM (SELECT tool, file_path, size, events FROM a.ai_observer_import_files
              EXCEPT ALL SELECT tool, file_path, size, events FROM b.ai_observer_import_files))::INTEGER AS files_a,
            (SELECT count(*) FROM (SELECT tool, file_path, size, events FROM b.ai_observer_import_files
              EXCEPT ALL SELECT tool, file_path, size, events FROM a.ai_observer_import_files))::INTEGER AS files_b`,
  );
  const row = rows[0] ?? {};
  return [row.events_a, row.events_b, row.files_a, row.files_b].map(Number);
}

/**
 * Events of `partial` whose rows are not all there as in `whole` (both tables, by the rows' `import.key`), and events
 * with rows but no bookkeeping row; then the events recorded and all of `whole`'s.
 */
async function eventCompleteness(partial: string, whole: string): Promise<{ incomplete: number; unrecorded: number; recorded: number; all: number }> {
  const rowsByKey = (db: string) =>
    `SELECT json_extract_string(LogAttributes, '$."import.key"') AS k FROM ${db}.otel_logs UNION ALL SELECT json_extract_string(Attributes, '$."import.key"') FROM ${db}.otel_metrics`;
  const rows = await query(
    `ATTACH '${partial}' AS p (READ_ONLY); ATTACH '${whole}' AS w (READ_ONLY);
     WITH pr AS (SELECT k, count(*) AS n FROM (${rowsByKey("p")}) GROUP BY k),
          wr AS (SELECT k, count(*) AS n FROM (${rowsByKey("w")}) GROUP BY k)
     SELECT (SELECT count(*) FROM p.ai_observer_import_events e LEFT JOIN pr ON pr.k = e.event_key JOIN wr ON wr.k = e.event_key
              WHERE pr.n IS DISTINCT FROM wr.n)::INTEGER AS incomplete,
            (SELECT count(*) FROM pr WHERE k NOT IN (SELECT event_key FROM p.ai_observer_import_events))::INTEGER AS unrecorded,
            (SELECT count(*) FROM p.ai_observer_import_events)::INTEGER AS recorded,
            (SELECT count(*) FROM w.ai_observer_import_events)::INTEGER AS all_events`,
  );
  const row = rows[0] ?? {};
  return { incomplete: Number(row.incomplete), unrecorded: Number(row.unrecorded), recorded: Number(row.recorded), all: Number(row.all_events) };
}

describe("an import that adds more rows than AI_OBSERVER_COMMIT_ROWS to tables that keep their indexes commits them in parts", () => {
  test("the same rows, bookkeeping and indexes as one COMMIT; the parts reported", async () => {
    const { root, env } = sessions();
    const inParts = await indexedDatabase(env);
    const whole = await indexedDatabase(env);
    addBigFiles(root);
    const parted = await runCliJson(["import", "all", "--db", inParts], { env: { ...env, AI_OBSERVER_COMMIT_ROWS: "5000" } });
    const once = await runCliJson(["import", "all", "--db", whole], { env });
    expect(once.commits).toBe(1);
    expect(parted.inserted).toEqual(once.inserted);
    const inserted = once.inserted as { logs: number; metrics: number };
    // Parts cut where the rows' times are, each about as large (quantiles): more than one, about rows / 5,000.
    expect(parted.commits).toBeGreaterThan(1);
    expect(Math.abs(Number(parted.commits) - Math.ceil((inserted.logs + inserted.metrics) / 5000))).toBeLessThanOrEqual(1);
    const differences = await tableDifferences(inParts, whole);
    for (const table of Object.values(differences)) expect([table.onlyA, table.onlyB]).toEqual([0, 0]);
    expect(differences.otel_logs?.rows).toBe(2 * (1 + FILES * PER_FILE));
    expect(await bookkeepingDifferences(inParts, whole)).toEqual([0, 0, 0, 0]);
    expect([await indexCount(inParts), await pendingMarks(inParts)]).toEqual([await indexCount(whole), 0]);
    expect(await indexCount(inParts)).toBeGreaterThan(0);
  });

  test("--verbose shows each part as it commits, then the rows added", async () => {
    const { root, env } = sessions();
    const db = await indexedDatabase(env);
    addBigFiles(root);
    const run = await runCli(["import", "all", "--db", db, "--yes", "--verbose"], { env: { ...env, AI_OBSERVER_COMMIT_ROWS: "5000" } });
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    const parts = [...run.stdout.matchAll(/^ {2}(\d+) of (\d+) parts committed \(([\d,]+) of ([\d,]+) rows\): \d+\.\d+ s$/gm)];
    const of = Number(parts[0]?.[2]);
    expect(of).toBeGreaterThan(1);
    // Every part but the last, in order, each with more rows of the same total.
    expect(parts.map((part) => [Number(part[1]), Number(part[2])])).toEqual(Array.from({ length: of - 1 }, (_, i) => [i + 1, of]));
    const rows = parts.map((part) => Number(part[3]?.replaceAll(",", "")));
    expect(rows.every((count, i) => count > (rows[i - 1] ?? 0))).toBe(true);
    const total = Number(parts[0]?.[4]?.replaceAll(",", ""));
    expect(rows.at(-1)).toBeLessThan(total);
    expect(run.stdout).toContain(`\nImporting data... done (${total.toLocaleString("en-US")} rows, `);
    expect(run.stdout).toContain(`committed in ${of} parts.`);
  });

  test("the parts on a terminal redraw one line; a cron log sees only the end", () => {
    const progress = (committed: number) => ({ committed, of: 3, rows: committed * 1_000, total: 2_500 });
    const printed = (display: { interactive: boolean; verbose: boolean }) => {
      let text = "";
      const hooks = applyProgress({ out: (chunk) => void (text += chunk), err: () => undefined }, display);
      hooks.onApplyStart?.();
      hooks.onPartCommitted?.(progress(1), 1_500);
      hooks.onPartCommitted?.(progress(2), 2_000);
      hooks.onApplyDone?.({ logs: 500, metrics: 2_000 }, 5_000);
      return text;
    };
    expect(printed({ interactive: true, verbose: false })).toBe(
      "\nImporting data... \r\u001b[2KImporting data... 1 of 3 parts committed (1,000 of 2,500 rows)" +
        "\r\u001b[2KImporting data... 2 of 3 parts committed (2,000 of 2,500 rows)\r\u001b[2KImporting data... done (2,500 rows)\n",
    );
    expect(printed({ interactive: false, verbose: false })).toBe("\nImporting data... done (2,500 rows)\n");
    expect(printed({ interactive: false, verbose: true })).toBe(
      "\nImporting data... \n  1 of 3 parts committed (1,000 of 2,500 rows): 1.50 s\n  2 of 3 parts committed (2,000 of 2,500 rows): 2.00 s\n" +
        "Importing data... done (2,500 rows, 5.00 s)\n",
    );
  });

  test("one stopped after some parts leaves whole events with their bookkeeping, and the next import adds the rest", async () => {
    const { root, env } = sessions();
    const stopped = await indexedDatabase(env);
    const whole = await indexedDatabase(env);
    addBigFiles(root);
    await runCliJson(["import", "all", "--db", whole], { env });

    // The database file is first written when the first part commits (the run only read it before): stop it then.
    const before = statSync(stopped).mtimeMs;
    const proc = Bun.spawn(["bun", CLI, "import", "all", "--db", stopped, "--yes"], {
      cwd: REPO_ROOT,
      env: hermeticEnv({ ...env, AI_OBSERVER_COMMIT_ROWS: "1000" }),
      stdout: "ignore",
      stderr: "pipe",
    });
    while (statSync(stopped).mtimeMs === before && !existsSync(`${stopped}.wal`)) await Bun.sleep(5);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);

    const partial = await eventCompleteness(stopped, whole);
    expect([partial.incomplete, partial.unrecorded]).toEqual([0, 0]);
    // Some parts in, not all: the small file's event and at least one part's, fewer than every event.
    expect(partial.recorded).toBeGreaterThan(1);
    expect(partial.recorded).toBeLessThan(partial.all);
    const differences = await tableDifferences(stopped, whole);
    for (const table of Object.values(differences)) expect(table.onlyA).toBe(0);

    const again = await runCliJson(["import", "all", "--db", stopped], { env });
    expect(again.status).toBe("imported");
    const completed = await tableDifferences(stopped, whole);
    for (const table of Object.values(completed)) expect([table.onlyA, table.onlyB]).toEqual([0, 0]);
    expect(await bookkeepingDifferences(stopped, whole)).toEqual([0, 0, 0, 0]);
    expect(await pendingMarks(stopped)).toBe(0);
  });

  test("every row an import stores has its event's timestamp, which the parts are cut by: every agent's samples, with transcripts", async () => {
    const tree = sampleTree();
    const db = join(tempDir("parts-db-"), "db.duckdb");
    expect((await runCliJson(["import", "all", "--db", db], { env: tree.env })).status).toBe("imported");
    const rows = await query(
      `WITH keyed AS (
         SELECT ServiceName AS service, Timestamp AS ts, json_extract_string(LogAttributes, '$."import.key"') AS k FROM otel_logs
         UNION ALL SELECT ServiceName, Timestamp, json_extract_string(Attributes, '$."import.key"') FROM otel_metrics)
       SELECT service, count(*)::INTEGER AS n,
              count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM ai_observer_import_events e WHERE e.event_key = keyed.k AND e.ts = keyed.ts))::INTEGER AS other_time
       FROM keyed GROUP BY service ORDER BY service`,
      {},
      db,
    );
    expect(rows.map((row) => row.service)).toEqual(["claude-code", "codex_cli_rs", "gemini_cli"]);
    for (const row of rows) expect([row.service, row.other_time]).toEqual([row.service, 0]);
    expect(rows.every((row) => Number(row.n) > 0)).toBe(true);
  });

  test("a failure after some parts says what they committed and that the next import adds the rest", () => {
    const failure = importFailure(new Error("IO Error: disk full\nmore"), { committedParts: { committed: 2, of: 5, rows: 1_234_567 } });
    expect(failure.message).toBe("import failed after committing 2 of its 5 parts (1,234,567 rows); the next import adds the rest: IO Error: disk full");
    expect(importFailure(new Error("IO Error: disk full"), { committedParts: { committed: 0, of: 5, rows: 0 } }).message).toBe(
      "import failed, nothing was imported: IO Error: disk full",
    );
  });

  test("a COMMIT that runs out of memory is done again in the database opened afresh under more, then none, as are later ones", async () => {
    const path = join(tempDir("commit-work-"), "db.duckdb");
    const rows = (from: number, to: number) =>
      `INSERT INTO t SELECT md5(i::VARCHAR), (hash(i) >> 2)::BIGINT, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND FROM range(${from}, ${to}) r(i)`;
    /** DuckDB's bound for a COMMIT made too small for the index nodes it changes. */
    class TightCommit extends DuckDBMemory {
      override async step(step: "bookkeeping" | "commit", size: ImportSize): Promise<void> {
        if (step === "commit") await this.connection.run("SET memory_limit = '4MB'");
        else await super.step(step, size);
      }
    }
    let open = await DuckDBInstance.create(path, { threads: "1" });
    let connection = await open.connect();
    await connection.run("CREATE TABLE t (a VARCHAR, b BIGINT, ts TIMESTAMP)");
    for (const column of ["a", "b", "ts"]) await connection.run(`CREATE INDEX i_${column} ON t(${column})`);
    await connection.run(rows(0, 200_000));
    const count = async () => Number((await connection.runAndReadAll("SELECT count(*) FROM t")).getRows()[0]?.[0]);
    const committer: Committer = {
      raised: 0,
      reopen: async () => {
        connection.closeSync();
        open.closeSync();
        open = await DuckDBInstance.create(path, { threads: "1" });
        connection = await open.connect();
        return new TightCommit(connection);
      },
    };
    const size: ImportSize = { events: 0, rowsBefore: 200_000, rowsAdded: 100_000, indexed: true, wholeIndexes: false };
    let runs = 0;
    const work = async (memory: DuckDBMemory) => {
      await memory.connection.run(rows(200_000 + runs * 100_000, 300_000 + runs * 100_000));
      return ++runs;
    };
    await connection.run("BEGIN TRANSACTION");
    const first = await commitWork(new TightCommit(connection), size, committer, work);
    // Run three times (under the bound, twice it, none), committed once: the rows of the others went with their COMMITs.
    expect([first.done, committer.raised, await count()]).toEqual([3, 2, 300_000]);
    const rowsOf = async () => Number((await first.memory.connection.runAndReadAll("SELECT count(DISTINCT a) FROM t WHERE ts >= TIMESTAMP '2026-01-01' + INTERVAL 200000 SECOND")).getRows()[0]?.[0]);
    expect(await rowsOf()).toBe(100_000);
    // A later COMMIT of the run goes without the bound at once.
    await first.memory.connection.run("BEGIN TRANSACTION");
    const later = await commitWork(first.memory, size, committer, work);
    expect([later.done, await count()]).toEqual([4, 400_000]);
    connection.closeSync();
    open.closeSync();
  });
});
