/**
 * Builds an AI Observer database (the real schema, from src/db/schema.ts) with about `rows` metric rows,
 * rows/10 log rows and rows/50 spans, in the shapes the importer and the Go server write, with DuckDB SQL.
 *
 *   bun bench/build-db.ts <path.duckdb> [--rows 5000000]
 */
import { existsSync } from "node:fs";
import { writeNewDatabase } from "../src/db/new-database.ts";

const MODELS = "['claude-sonnet-4-5-20250929','claude-opus-4-1-20250805','claude-haiku-4-5-20251001','gpt-5','gpt-5.1','gemini-2.5-pro']";

/** `storage`: DuckDB's storage format (null: its default, as the Go server's databases have; see writeNewDatabase). */
export async function buildDatabase(path: string, rows: number, storage: string | null = null): Promise<void> {
  await writeNewDatabase(path, async (connection) => {
    // 90 days, in time order (as a server appends them); 4 token types per response, sessions of ~200 rows.
    await connection.run(`
      INSERT INTO otel_metrics
      WITH r AS (
        SELECT i,
               CASE WHEN i % 10 < 6 THEN 'claude-code' WHEN i % 10 < 9 THEN 'codex_cli_rs' ELSE 'gemini_cli' END AS service,
               ${MODELS}[1 + (i // 997) % 6] AS model,
               ['input','output','cacheCreation','cacheRead'][1 + i % 4] AS type,
               lpad(to_hex(((i // 200) * 2654435761) % 4294967296), 8, '0') AS sid
        FROM range(${rows}) t(i)
      )
      SELECT TIMESTAMP '2026-06-01' + to_microseconds((i::DOUBLE * 7776000000000 / ${rows})::BIGINT),
             service,
             CASE WHEN i % 7 = 0 THEN replace(service, '-', '_') || '.cost.usage' ELSE replace(service, '-', '_') || '.token.usage' END,
             NULL, NULL, '{}', NULL, NULL,
             '{"import.key":"claude:msg_01' || sid || lpad(to_hex(i // 8), 10, '0') || '","import_source":"local_jsonl","model":"' || model ||
               '","session.id":"' || sid || '-4c1e-a000-' || lpad(to_hex(i // 200), 12, '0') || '","type":"' || type || '"}',
             'sum',
             CASE WHEN i % 7 = 0 THEN ((i * 37) % 100000) / 1e6 ELSE ((i * 7919) % 200000)::DOUBLE END,
             NULL, NULL, NULL, NULL, '[]', '[]', NULL, NULL, NULL, '[]', NULL, '[]', '[]', '[]', NULL, NULL
      FROM r`);
    const logs = Math.floor(rows / 10);
    await connection.run(`
      INSERT INTO otel_logs
      SELECT TIMESTAMP '2026-06-01' + to_microseconds((i::DOUBLE * 7776000000000 / ${logs})::BIGINT),
             NULL, NULL, 0, 'INFO', 9,
             CASE WHEN i % 10 < 6 THEN 'claude-code' WHEN i % 10 < 9 THEN 'codex_cli_rs' ELSE 'gemini_cli' END,
             'api_request', NULL, '{}', NULL, NULL, NULL, '{}',
             '{"cwd":"/home/dev/src/app-' || (i % 13) || '","event.name":"claude_code.api_request","import_source":"local_jsonl","model":"' ||
               ${MODELS}[1 + (i // 97) % 6] || '","request_id":"req_011C' || lpad(to_hex(i * 2654435761 % 4294967296), 8, '0') ||
               '","session.id":"' || lpad(to_hex(i // 20), 12, '0') || '"}'
      FROM range(${logs}) t(i)`);
    const spans = Math.floor(rows / 50);
    await connection.run(`
      INSERT INTO otel_traces
      SELECT TIMESTAMP '2026-06-01' + to_microseconds((i::DOUBLE * 7776000000000 / ${spans})::BIGINT),
             lpad(to_hex(i // 5), 32, '0'), lpad(to_hex(i), 16, '0'),
             CASE WHEN i % 5 = 0 THEN NULL ELSE lpad(to_hex(i - i % 5), 16, '0') END, NULL,
             'claude_code.tool', 'INTERNAL', 'claude-code', '{"service.name":"claude-code"}', 'com.anthropic.claude_code', '2.1.63',
             '{"tool_name":"Bash","duration_ms":' || (i % 5000) || '}', (i % 5000) * 1000000, 'OK', NULL,
             '[]', '[]', '[]', '[]', '[]', '[]', '[]'
      FROM range(${spans}) t(i)`);
  }, storage);
}

if (import.meta.main) {
  const path = process.argv[2];
  const i = process.argv.indexOf("--rows");
  const rows = i >= 0 ? Number(process.argv[i + 1]) : 5_000_000;
  if (!path) {
    console.error("usage: bun bench/build-db.ts <path.duckdb> [--rows 5000000]");
    process.exit(2);
  }
  const started = performance.now();
  await buildDatabase(path, rows);
  console.log(`built ${path} (${rows} metric rows) in ${((performance.now() - started) / 1000).toFixed(1)}s${existsSync(path) ? "" : " (missing?)"}`);
}
