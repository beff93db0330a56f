import { writeNewDatabase } from "../../src/db/new-database.ts";

export interface FixtureRow {
  timestamp: string;
  service: string;
}

/**
 * Rows for several services and days, including the last microsecond of a day and the first
 * of the next, so day boundaries are tested. Counts per service and table are easy to derive.
 */
export const FIXTURE_ROWS: FixtureRow[] = [
  { timestamp: "2025-01-01 00:00:00", service: "claude-code" },
  { timestamp: "2025-01-01 12:30:00.123456", service: "claude-code" },
  { timestamp: "2025-01-01 23:59:59.999999", service: "claude-code" },
  { timestamp: "2025-01-02 00:00:00", service: "claude-code" },
  { timestamp: "2025-01-02 00:00:00", service: "codex_cli_rs" },
  { timestamp: "2025-01-02 08:00:00", service: "gemini_cli" },
  { timestamp: "2025-01-02 23:59:59.999999", service: "codex_cli_rs" },
  { timestamp: "2025-01-03 00:00:00", service: "gemini_cli" },
  { timestamp: "2025-01-03 10:00:00", service: "other-service" },
  { timestamp: "2025-01-05 00:00:00.000001", service: "claude-code" },
];

/** Builds a database in the Go server's exact schema, filled with `rows` in every table. */
export async function createFixtureDatabase(path: string, rows: FixtureRow[] = FIXTURE_ROWS): Promise<void> {
  await writeNewDatabase(path, async (connection) => {
    for (const [index, row] of rows.entries()) {
      const params = { ts: row.timestamp, service: row.service, n: index };
      await connection.run(
        `INSERT INTO otel_traces VALUES ($ts::TIMESTAMP, 'trace-' || $n, 'span-' || $n, NULL, NULL, 'span name', 'INTERNAL', $service,
          '{"service.name":"' || $service || '"}', 'scope', '1.0', '{}', 1000 * $n, 'OK', NULL, '[]', '[]', '[]', '[]', '[]', '[]', '[]')`,
        params,
      );
      await connection.run(
        `INSERT INTO otel_logs VALUES ($ts::TIMESTAMP, NULL, NULL, 0, 'INFO', 9, $service, 'api_request', NULL, '{}', NULL, NULL, NULL, '{}',
          '{"event.name":"api_request","import_source":"local_jsonl","n":"' || $n || '"}')`,
        params,
      );
      await connection.run(
        `INSERT INTO otel_metrics VALUES ($ts::TIMESTAMP, $service, 'claude_code.token.usage', NULL, NULL, '{}', NULL, NULL,
          '{"type":"input","model":"claude-sonnet-4-20250514"}', 'sum', 100.5 + $n, NULL, NULL, NULL, NULL, '[]', '[]', NULL, NULL, NULL, '[]', NULL, '[]', '[]', '[]', NULL, NULL)`,
        params,
      );
    }
  });
}
