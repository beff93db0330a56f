#!/usr/bin/env bun
/**
 * Writes a small AI Observer database for scripts/smoke-binary.ts:
 *   bun scripts/smoke/make-smoke-db.ts <path.duckdb>
 * Each table gets a different number of rows (SMOKE_COUNTS), so a swapped count shows.
 */
import { existsSync } from "node:fs";
import { loadDuckDB } from "../../src/db/duckdb.ts";
import { writeNewDatabase } from "../../src/db/new-database.ts";

export const SMOKE_COUNTS = { traces: 3, logs: 2, metrics: 4 } as const;

const INSERTS = [
  `INSERT INTO otel_traces (Timestamp, TraceId, SpanId, SpanName, ServiceName, Duration) VALUES
     ('2025-03-01 10:00:00', 't1', 's1', 'claude_code.interaction', 'claude-code', 1500),
     ('2025-03-01 10:00:01', 't1', 's2', 'claude_code.llm_request', 'claude-code', 900),
     ('2025-03-02 08:30:00', 't2', 's3', 'codex.turn', 'codex_cli_rs', 700)`,
  `INSERT INTO otel_logs (Timestamp, ServiceName, SeverityText, Body, LogAttributes) VALUES
     ('2025-03-01 10:00:02', 'claude-code', 'INFO', 'api_request', '{"event.name":"api_request"}'),
     ('2025-03-02 08:30:01', 'gemini_cli', 'INFO', 'api_response', '{"event.name":"api_response"}')`,
  `INSERT INTO otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value, Attributes) VALUES
     ('2025-03-01 10:00:03', 'claude-code', 'claude_code.token.usage', 'sum', 1200, '{"type":"input"}'),
     ('2025-03-01 10:00:03', 'claude-code', 'claude_code.token.usage', 'sum', 340, '{"type":"output"}'),
     ('2025-03-01 10:00:03', 'claude-code', 'claude_code.cost.usage', 'sum', 0.0123, '{}'),
     ('2025-03-02 08:30:02', 'codex_cli_rs', 'codex.tokens', 'sum', 800, '{}')`,
];

export async function makeSmokeDatabase(path: string): Promise<void> {
  if (existsSync(path)) throw new Error(`${path} exists already`);
  const { DuckDBInstance } = await loadDuckDB();
  await writeNewDatabase(path, async (connection) => {
    for (const sql of INSERTS) await connection.run(sql);
  });
}

if (import.meta.main) {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: bun scripts/smoke/make-smoke-db.ts <path.duckdb>");
    process.exit(2);
  }
  await makeSmokeDatabase(path);
  console.log(`wrote ${path}`);
}
