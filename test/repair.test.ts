import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { tableDifferences } from "./helpers/db-compare.ts";
import { query } from "./helpers/duckdb-read.ts";
import { runCli } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// A database imported by an older version of the parsers keeps wrong rows until they are repaired: the next import
// reads the files an older parser version read again, replaces their events' rows, and removes the events the
// current version no longer makes. Here the older version's rows are laid down by hand, as it wrote them: Codex
// usage from token_count deltas beside the token_usage_records, Claude responses without their advisor calls.
setDefaultTimeout(120_000);

const FIXTURES = join(import.meta.dir, "fixtures");
const CODEX_SESSION = "019c0000-0000-7000-8000-0000000000a1";

/** The late-2026 fixtures; `paginated`: with the Codex paginated threads (test/fixtures/codex/paginated) too. */
function sessions(paginated = false): Record<string, string> {
  const home = tempDir("repair-home-");
  const claude = join(home, "claude");
  const codex = join(home, "codex");
  const gemini = join(home, "gemini");
  cpSync(join(FIXTURES, "claude", "2026"), claude, { recursive: true });
  cpSync(join(FIXTURES, "codex", "2026"), codex, { recursive: true });
  if (paginated) cpSync(join(FIXTURES, "codex", "paginated"), join(codex, "paginated"), { recursive: true });
  mkdirSync(gemini);
  return sessionEnv(claude, codex, gemini);
}

async function importAll(db: string, env: Record<string, string>, ...flags: string[]) {
  return runCli(["import", "all", "--db", db, "--yes", ...flags], { env });
}

/** Turns a database the current version imported into what an older version left (see the file's comment). */
async function asAnOlderVersionLeftIt(db: string, codexFile: string): Promise<void> {
  const oldKey = `codex:${CODEX_SESSION}:10000/500/0/2000/100/0/10500`;
  await query(`ATTACH '${db}' AS d;
    UPDATE d.ai_observer_import_files SET parser_version = NULL;
    -- A Codex token_count delta the older parser counted, which the records now stand for: counted twice.
    INSERT INTO d.ai_observer_import_events (tool, event_key, rank, ts, file_path) VALUES ('codex', '${oldKey}', 0, TIMESTAMP '2026-10-01 09:00:05.001', '${codexFile}');
    INSERT INTO d.otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value, Attributes)
      VALUES (TIMESTAMP '2026-10-01 09:00:05.001', 'codex_cli_rs', 'codex_cli_rs.token.usage', 'sum', 10000,
              '{"import.key":"${oldKey}","model":"gpt-5.3-codex","type":"input"}');
    -- The advisor call's rows, which the older parser did not write.
    DELETE FROM d.otel_metrics WHERE json_extract_string(Attributes, '$.iteration') = 'advisor';`);
}

describe("repair of rows an older parser version wrote", () => {
  test("one import makes the database equal to a fresh import; it says what it repaired; the next import has nothing to do", async () => {
    const env = sessions();
    const codexFile = join(env.AI_OBSERVER_CODEX_PATH as string, `rollout-2026-10-01T09-00-00-${CODEX_SESSION}.jsonl`);
    const fresh = join(tempDir("repair-fresh-"), "fresh.duckdb");
    expect((await importAll(fresh, env)).exitCode).toBe(0);

    const repaired = join(tempDir("repair-old-"), "old.duckdb");
    expect((await importAll(repaired, env)).exitCode).toBe(0);
    await asAnOlderVersionLeftIt(repaired, codexFile);
    const broken = await tableDifferences(repaired, fresh);
    expect(broken.otel_metrics?.onlyA).toBe(1); // the double-counted delta
    expect(broken.otel_metrics?.onlyB).toBeGreaterThan(0); // the advisor's rows

    const run = await importAll(repaired, env, "--json");
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.totals.files.outdated).toBe(5); // every file: claude/2026 (3) and codex/2026 (2)
    expect(result.totals.events.removed).toBe(1);
    expect(result.totals.events.repaired).toBeGreaterThan(0);
    const after = await tableDifferences(repaired, fresh);
    for (const table of ["otel_logs", "otel_metrics", "otel_traces"]) expect([table, after[table]?.onlyA, after[table]?.onlyB]).toEqual([table, 0, 0]);

    const text = await importAll(repaired, env);
    expect(text.stdout).toBe("No new or modified files found to import.\n");
    expect(await tableDifferences(repaired, fresh)).toEqual(after);
  });

  test("rows of files that are gone are kept; files read by this version are not read again", async () => {
    const env = sessions();
    const db = join(tempDir("repair-gone-"), "db.duckdb");
    expect((await importAll(db, env)).exitCode).toBe(0);
    const gone = "/home/me/.codex/sessions/gone.jsonl";
    await query(`ATTACH '${db}' AS d;
      INSERT INTO d.ai_observer_import_files (tool, file_path, size, mtime_ms, events, bad_lines, imported_at) VALUES ('codex', '${gone}', 10, 1, 1, 0, now());
      INSERT INTO d.ai_observer_import_events (tool, event_key, rank, ts, file_path) VALUES ('codex', 'codex:gone:1', 5, TIMESTAMP '2025-05-05 05:05:05', '${gone}');
      INSERT INTO d.otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value, Attributes)
        VALUES (TIMESTAMP '2025-05-05 05:05:05', 'codex_cli_rs', 'codex_cli_rs.token.usage', 'sum', 5, '{"import.key":"codex:gone:1","type":"input"}');`);
    const run = await importAll(db, env, "--json");
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout).status).toBe("nothing");
    expect(await query("SELECT count(*)::INTEGER AS n FROM otel_metrics WHERE Attributes LIKE '%codex:gone:1%'", {}, db)).toEqual([{ n: 1 }]);
  });
});

/**
 * Turns a database the current price table priced into what an older table left: no price for claude-sonnet-4-6 (its
 * responses stored without their cost rows), and another price for claude-opus-4-7 (the costs of its own responses
 * stored at that price; an opus advisor call inside a sonnet response is priced again with it, as one event).
 */
async function asAnOlderPriceTableLeftIt(db: string): Promise<{ unpriced: number; files: number }> {
  const [counts] = await query(
    `ATTACH '${db}' AS d;
     CREATE TEMP TABLE sonnet AS SELECT DISTINCT json_extract_string(Attributes, '$."import.key"') AS event_key
       FROM d.otel_metrics WHERE json_extract_string(Attributes, '$.model') = 'claude-sonnet-4-6';
     UPDATE d.ai_observer_import_files SET prices = 'an-older-table';
     UPDATE d.ai_observer_import_events SET unpriced = (event_key IN (SELECT event_key FROM sonnet));
     DELETE FROM d.otel_metrics WHERE MetricName = 'claude_code.cost.usage'
       AND json_extract_string(Attributes, '$."import.key"') IN (SELECT event_key FROM sonnet);
     UPDATE d.otel_metrics SET Value = Value * 2 WHERE MetricName = 'claude_code.cost.usage'
       AND json_extract_string(Attributes, '$.model') = 'claude-opus-4-7'
       AND json_extract_string(Attributes, '$."import.key"') NOT IN (SELECT event_key FROM sonnet);
     SELECT count(*)::INTEGER AS unpriced, count(DISTINCT file_path)::INTEGER AS files FROM d.ai_observer_import_events WHERE unpriced;`,
  );
  return counts as { unpriced: number; files: number };
}

describe("events an older price table left unpriced", () => {
  test("the next import prices them from the files; costs already stored stay as they were; the next has nothing to do", async () => {
    const env = sessions();
    const fresh = join(tempDir("reprice-fresh-"), "fresh.duckdb");
    expect((await importAll(fresh, env)).exitCode).toBe(0);
    const db = join(tempDir("reprice-old-"), "old.duckdb");
    expect((await importAll(db, env)).exitCode).toBe(0);
    const left = await asAnOlderPriceTableLeftIt(db);
    expect(left.unpriced).toBeGreaterThan(0);
    const costsOf = (path: string) =>
      query(
        `SELECT json_extract_string(Attributes, '$."import.key"') AS key, json_extract_string(Attributes, '$.model') AS model,
                count(*)::INTEGER AS n, round(sum(Value), 9) AS cost
         FROM otel_metrics WHERE MetricName = 'claude_code.cost.usage' GROUP BY ALL ORDER BY key, model`,
        {},
        path,
      );
    const freshCosts = await costsOf(fresh);
    const before = await costsOf(db);
    expect(before.length).toBeLessThan(freshCosts.length);

    const run = await importAll(db, env, "--json");
    expect([run.exitCode, run.stderr]).toEqual([0, ""]);
    const result = JSON.parse(run.stdout);
    expect(result.totals.files.repricing).toBe(left.files);
    expect(result.totals.events.priced).toBe(left.unpriced);
    expect(result.totals.events.repaired + result.totals.events.add + result.totals.events.removed).toBe(0);
    const after = await costsOf(db);
    const keep = new Set(before.filter((row) => row.model === "claude-opus-4-7" && !before.some((other) => other.key === row.key && other.model !== row.model)));
    expect(keep.size).toBeGreaterThan(0);
    // The opus responses keep their stored (doubled) costs; every other cost is the fresh import's.
    expect(after).toEqual(freshCosts.map((row) => [...keep].find((kept) => kept.key === row.key) ?? row));
    expect(after).not.toEqual(freshCosts);
    expect(await query("SELECT count(*)::INTEGER AS n FROM ai_observer_import_events WHERE unpriced", {}, db)).toEqual([{ n: 0 }]);

    const again = await importAll(db, env);
    expect(again.stdout).toBe("No new or modified files found to import.\n");
  });

  test("the text summary says which files were read for prices and what was priced", async () => {
    const env = sessions();
    const db = join(tempDir("reprice-text-"), "db.duckdb");
    expect((await importAll(db, env)).exitCode).toBe(0);
    const left = await asAnOlderPriceTableLeftIt(db);
    const run = await importAll(db, env);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`${left.files} read again for new prices`);
    expect(run.stdout).toContain(`Priced: ${left.unpriced} event${left.unpriced === 1 ? "" : "s"} stored without a cost, now priced`);
  });
});

describe("late-2026 shapes through import and export --from-files", () => {
  test("the same rows both ways, and per model the hand-computed tokens and costs", async () => {
    const env = sessions(true);
    const db = join(tempDir("late-2026-"), "db.duckdb");
    expect((await importAll(db, env)).exitCode).toBe(0);
    const out = join(tempDir("late-2026-out-"), "out");
    const exported = await runCli(["export", "all", "--from-files", "--output", out, "--yes", "--json"], { env });
    expect(exported.exitCode).toBe(0);
    expect(JSON.parse(exported.stdout).input).toMatchObject({ unpricedModels: [], unknownUsage: { lines: 0 }, badLines: 0 });
    for (const [table, file] of [["otel_logs", "logs.parquet"], ["otel_metrics", "metrics.parquet"]] as const) {
      const diff = await query(
        `ATTACH '${db}' AS d (READ_ONLY);
         SELECT (SELECT count(*) FROM (FROM d.${table} EXCEPT ALL FROM read_parquet($f)))::INTEGER AS only_db,
                (SELECT count(*) FROM (FROM read_parquet($f) EXCEPT ALL FROM d.${table}))::INTEGER AS only_files,
                (SELECT count(*) FROM d.${table})::INTEGER AS n`,
        { f: join(out, file) },
      );
      expect(diff[0]).toMatchObject({ only_db: 0, only_files: 0 });
      expect(Number(diff[0]?.n)).toBeGreaterThan(0);
    }
    const costs = await query(
      `SELECT json_extract_string(Attributes, '$.model') AS model, round(sum(Value), 9) AS cost
       FROM otel_metrics WHERE MetricName IN ('claude_code.cost.usage', 'codex_cli_rs.cost.usage') GROUP BY ALL ORDER BY model`,
      {},
      db,
    );
    const inputs = await query(
      `SELECT json_extract_string(Attributes, '$.model') AS model, sum(Value)::BIGINT AS input
       FROM otel_metrics WHERE MetricName IN ('claude_code.token.usage', 'codex_cli_rs.token.usage')
         AND json_extract_string(Attributes, '$.type') = 'input' GROUP BY ALL ORDER BY model`,
      {},
      db,
    );
    expect(inputs).toEqual([
      // advisor 235169; msg_cache2 10; msg_fast1 1000; msg_compact2 100 and its compaction 50000
      { model: "claude-opus-4-7", input: 286279n },
      // msg_adv1 4; msg_compact1 23000 and its compaction 180000
      { model: "claude-sonnet-4-6", input: 203004n },
      // codex/2026 270000 + 5000; codex/paginated 25000 + 11000 + 9000 + 5000 + 7000
      { model: "gpt-5.3-codex", input: 332000n },
    ]);
    const round = (value: number) => Math.round(value * 1e9) / 1e9;
    expect(costs).toEqual([
      // advisor 235169 x 5e-6 + 7805 x 25e-6; msg_cache2 (5-minute and 1-hour writes); msg_fast1 (fast, US: x 6.6);
      // msg_compact2 with its compaction (fast, US)
      { model: "claude-opus-4-7", cost: round(1.175845 + 0.195125 + (0.00005 + 0.0005 + 0.00625 + 0.02 + 0.0005) + 0.055 * 6.6 + 0.3055 * 6.6) },
      // msg_adv1; msg_compact1 with its compaction
      { model: "claude-sonnet-4-6", cost: round(0.000012 + 0.0135 + 0.03049125 + 0.1630632 + 0.609 + 0.0675) },
      // codex/2026: the three responses of the parent (one a compaction) and the fork's one; codex/paginated: the
      // parent's two, the fork's two (priority), the revert's, the subagent's and the rotated segment's two
      { model: "gpt-5.3-codex", cost: round(0.02135 + 0.032025 + 0.147 + 0.009975 + (0.02135 + 0.0203) + (0.0203 + 0.0133) + 0.018375 + 0.009975 + (0.006825 + 0.00245)) },
    ]);
  });
});
