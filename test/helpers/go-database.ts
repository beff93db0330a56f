import { DuckDBInstance } from "@duckdb/node-api";
import goMigrationsSql from "../../src/db/schema-go-0.5.sql" with { type: "text" };
import indexesSql from "../../src/db/schema-indexes.sql" with { type: "text" };
import schemaSql from "../../src/db/schema.sql" with { type: "text" };

export type GoVersion = "0.2" | "0.4" | "0.5";

/** AI Observer's tables as the Go server creates them: schema.sql without its storage clause (zstd for the logs' texts is ours). */
export const GO_TABLES_SQL = schemaSql.replaceAll(" USING COMPRESSION zstd", "");

/** A file another machine imported and a Go 0.4+ `watch` follows (go-reference-2026 §4.4): its row must stay as it is. */
export const WATCHED_FILE = "/home/go/.claude/projects/-home-go-app/watched.jsonl";
export const WATCH_STATE = '{"messageIndex":7,"seenRequests":{"msg_w:req_w":true}}';

/**
 * A database as the Go AI Observer `version` leaves it, built from the DDL and rows the references describe
 * (go-reference.md §1, go-reference-2026 §1-2): 0.2's tables and indexes; 0.4's compound indexes and import_state
 * watch columns, with a watched file's row and `transcript.message` logs (0.3+); 0.5's rows of OTLP-only sources
 * (OpenCode, GitHub Copilot CLI and VS Code extension).
 */
export async function goDatabase(path: string, version: GoVersion): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await connection.run(GO_TABLES_SQL);
    await connection.run(indexesSql);
    await connection.run(`
      INSERT INTO otel_logs (Timestamp, SeverityText, SeverityNumber, ServiceName, Body, ResourceAttributes, LogAttributes) VALUES
        (TIMESTAMP '2026-06-10 09:00:00', 'INFO', 9, 'claude-code', 'api_request', '{}',
         '{"event.name":"claude_code.api_request","import_source":"local_jsonl","model":"claude-sonnet-4-5","session.id":"go-session"}');
      INSERT INTO otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value, ResourceAttributes, Attributes) VALUES
        (TIMESTAMP '2026-06-10 09:00:00', 'claude-code', 'claude_code.token.usage', 'sum', 1200, '{}',
         '{"import_source":"local_jsonl","model":"claude-sonnet-4-5","type":"input"}');
      INSERT INTO import_state (source, file_path, file_hash, imported_at, record_count) VALUES ('claude-code', '/home/go/.claude/projects/-home-go-app/old.jsonl', 'aa', TIMESTAMP '2026-06-10 10:00:00', 3);`);
    if (version === "0.2") return;
    await connection.run(goMigrationsSql);
    await connection.run(`
      INSERT INTO import_state (source, file_path, file_hash, imported_at, record_count, byte_offset, message_count, parser_state)
        VALUES ('claude-code', '${WATCHED_FILE}', '', TIMESTAMP '2026-06-18 08:00:00', 0, 4096, 7, '${WATCH_STATE}');
      INSERT INTO otel_logs (Timestamp, SeverityText, SeverityNumber, ServiceName, Body, ResourceAttributes, LogAttributes) VALUES
        (TIMESTAMP '2026-06-18 08:00:00', 'INFO', 9, 'claude-code', 'fix the tests', '{}',
         '{"event.name":"transcript.message","import_source":"local_jsonl","message.index":"0","message.role":"user","session.id":"go-session"}');`);
    if (version === "0.4") return;
    await connection.run(`
      INSERT INTO otel_metrics (Timestamp, ServiceName, MetricName, MetricType, Value, ResourceAttributes, Attributes) VALUES
        (TIMESTAMP '2026-06-20 10:00:00', 'opencode', 'opencode.token.usage', 'sum', 100, '{}', '{"model":"gpt-5","type":"input"}'),
        (TIMESTAMP '2026-06-20 10:00:00', 'github-copilot', 'github_copilot.token.usage', 'sum', 50, '{}', '{"model":"gpt-5","type":"input"}'),
        (TIMESTAMP '2026-06-20 10:00:00', 'copilot-chat', 'github_copilot.token.usage', 'sum', 25, '{}', '{"model":"gpt-5","type":"input"}');`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** An export of `db` as the Go exporter writes one (go-reference §2.8): each table `COPY`d whole to ZSTD Parquet. */
export async function goExport(db: string, folder: string): Promise<void> {
  const { mkdirSync } = await import("node:fs");
  mkdirSync(folder, { recursive: true });
  const instance = await DuckDBInstance.create(db, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    for (const [table, file] of [["otel_traces", "traces"], ["otel_logs", "logs"], ["otel_metrics", "metrics"]]) {
      await connection.run(`COPY (SELECT * FROM ${table}) TO '${folder}/${file}.parquet' (FORMAT PARQUET, COMPRESSION 'ZSTD')`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
