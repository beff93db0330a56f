/**
 * Builds examples/demo.duckdb: two weeks of made-up usage by three agents in AI Observer's
 * schema, the way the Go server or `ai-observer import` would store it. Deterministic.
 */
import { join } from "node:path";
import { writeNewDatabase } from "../src/db/new-database.ts";

/**
 * Each token row is a request's base amount times its type's factor, so the rows hold together as the agents write
 * them: Codex's `input` includes `cache_read` and its `output` includes `reasoning`; Gemini's `input` includes `cached`.
 */
const AGENTS = [
  { service: "claude-code", metric: "claude_code", model: "claude-sonnet-4-5-20250929", types: { input: 1, output: 2, cacheCreation: 3, cacheRead: 4 } },
  { service: "codex_cli_rs", metric: "codex_cli_rs", model: "gpt-5-codex", types: { input: 6, output: 2, cache_read: 4, reasoning: 1 } },
  { service: "gemini_cli", metric: "gemini_cli", model: "gemini-2.5-pro", types: { input: 6, output: 2, cached: 3, thoughts: 1 } },
];

export async function buildDemoDatabase(path: string): Promise<void> {
  await writeNewDatabase(path, async (connection) => {
    for (const [index, agent] of AGENTS.entries()) {
      const params = { service: agent.service, metric: agent.metric, model: agent.model, seed: index + 1 };
      // One request every ~20 minutes of a working day, for 14 days from 2025-06-02.
      const requests = `SELECT i, TIMESTAMP '2025-06-02 08:00:00' + INTERVAL (i // 30) DAY + INTERVAL (i % 30 * 20 + $seed) MINUTE
                           + to_microseconds((i * 7919 + $seed * 104729) % 1000000) AS ts,
                         'session-' || $seed || '-' || (i // 10) AS session
                        FROM range(14 * 30) t(i)`;
      await connection.run(
        `INSERT INTO otel_logs
         SELECT ts, NULL, NULL, 0, 'INFO', 9, $service, 'api_request', NULL, '{}', NULL, NULL, NULL, '{}',
                json_object('event.name', $metric || '.api_request', 'import_source', 'local_jsonl', 'model', $model, 'session.id', session)::VARCHAR
         FROM (${requests})`,
        params,
      );
      for (const [type, factor] of Object.entries(agent.types)) {
        await connection.run(
          `INSERT INTO otel_metrics
           SELECT ts, $service, $metric || '.token.usage', NULL, NULL, '{}', NULL, NULL,
                  json_object('import_source', 'local_jsonl', 'model', $model, 'type', $type)::VARCHAR, 'sum',
                  ((i * 37 + $seed * 211) % 4000 + 50) * $factor, NULL, NULL, NULL, NULL, '[]', '[]', NULL, NULL, NULL, '[]', NULL, '[]', '[]', '[]', NULL, NULL
           FROM (${requests})`,
          { ...params, type, factor },
        );
      }
      await connection.run(
        `INSERT INTO otel_metrics
         SELECT ts, $service, $metric || '.cost.usage', NULL, NULL, '{}', NULL, NULL,
                json_object('import_source', 'local_jsonl', 'model', $model)::VARCHAR, 'sum', round(((i * 53 + $seed * 101) % 900 + 10) / 10000.0, 6),
                NULL, NULL, NULL, NULL, '[]', '[]', NULL, NULL, NULL, '[]', NULL, '[]', '[]', '[]', NULL, NULL
         FROM (${requests})`,
        params,
      );
      await connection.run(
        `INSERT INTO otel_traces
         SELECT ts, md5(session), substr(md5(i::VARCHAR || $service), 1, 16), NULL, NULL, 'llm_request', 'CLIENT', $service,
                json_object('service.name', $service)::VARCHAR, NULL, NULL, json_object('model', $model)::VARCHAR,
                (i % 17 + 1) * 250000000, 'OK', NULL, '[]', '[]', '[]', '[]', '[]', '[]', '[]'
         FROM (${requests}) WHERE i % 3 = 0`,
        { service: params.service, model: params.model, seed: params.seed },
      );
    }
  });
}

if (import.meta.main) {
  const path = process.argv[2] ?? join(import.meta.dir, "demo.duckdb");
  await buildDemoDatabase(path);
  console.log(`demo database written: ${path}`);
}
