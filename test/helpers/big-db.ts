import { writeNewDatabase } from "../../src/db/new-database.ts";

/** A database whose export takes seconds, to interrupt it while it writes. */
export async function createBigDatabase(path: string, metricRows: number): Promise<void> {
  await writeNewDatabase(path, async (connection) => {
    await connection.run(
      `INSERT INTO otel_metrics
       SELECT TIMESTAMP '2025-01-01' + to_microseconds(i * 1000), 'claude-code', 'claude_code.token.usage', NULL, NULL, '{}', NULL, NULL,
              '{"type":"input","model":"m' || (i % 7) || '","session.id":"' || md5(i::VARCHAR) || '"}', 'sum', i * 1.5,
              NULL, NULL, NULL, NULL, '[]', '[]', NULL, NULL, NULL, '[]', NULL, '[]', '[]', '[]', NULL, NULL
       FROM range($n) t(i)`,
      { n: metricRows },
    );
    await connection.run(
      `INSERT INTO otel_logs SELECT TIMESTAMP '2025-01-01' + to_microseconds(i * 1000), NULL, NULL, 0, 'INFO', 9, 'claude-code', 'api_request',
              NULL, '{}', NULL, NULL, NULL, '{}', '{"event.name":"claude_code.api_request","n":"' || md5(i::VARCHAR) || '"}'
       FROM range($n) t(i)`,
      { n: metricRows },
    );
  });
}
