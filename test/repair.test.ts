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

function sessions(): Record<string, string> {
  const home = tempDir("repair-home-");
  const claude = join(home, "claude");
  const codex = join(home, "codex");
  const gemini = join(home, "gemini");
  cpSync(join(FIXTURES, "claude", "2026"), claude, { recursive: true });
  cpSync(join(FIXTURES, "codex", "2026"), codex, { recursive: true });
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
    INSERT INTO d.ai_observer_import_events VALUES ('codex', '${oldKey}', 0, TIMESTAMP '2026-10-01 09:00:05.001', '${codexFile}');
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
    expect(result.totals.files.outdated).toBe(4); // every file: claude/2026 (2) and codex/2026 (2)
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
      INSERT INTO d.ai_observer_import_files VALUES ('codex', '${gone}', 10, 1, 1, 0, now(), NULL);
      INSERT INTO d.ai_observer_import_events VALUES ('codex', 'codex:gone:1', 5, TIMESTAMP '2025-05-05 05:05:05', '${gone}');
      INSERT INTO d.otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value, Attributes)
        VALUES (TIMESTAMP '2025-05-05 05:05:05', 'codex_cli_rs', 'codex_cli_rs.token.usage', 'sum', 5, '{"import.key":"codex:gone:1","type":"input"}');`);
    const run = await importAll(db, env, "--json");
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout).status).toBe("nothing");
    expect(await query("SELECT count(*)::INTEGER AS n FROM otel_metrics WHERE Attributes LIKE '%codex:gone:1%'", {}, db)).toEqual([{ n: 1 }]);
  });
});
