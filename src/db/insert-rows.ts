import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeAttributes } from "../sources/shared/attributes.ts";
import type { LogRow, MetricRow, UsageEvent } from "../sources/types.ts";
import type { DuckDBConnection } from "./duckdb.ts";
import insertLogsSql from "./insert-logs.sql" with { type: "text" };
import insertMetricsSql from "./insert-metrics.sql" with { type: "text" };

/** The attribute that ties a stored row to its usage event, so a better copy can replace it later. */
export const IMPORT_KEY_ATTRIBUTE = "import.key";

export interface InsertedCounts {
  logs: number;
  metrics: number;
}

const FLUSH_BYTES = 4 * 1024 * 1024;

/** Streams NDJSON lines into a file without holding them all in memory. */
class NdjsonFile {
  readonly path: string;
  private readonly writer: ReturnType<ReturnType<typeof Bun.file>["writer"]>;
  rows = 0;

  constructor(path: string) {
    this.path = path;
    this.writer = Bun.file(path).writer({ highWaterMark: FLUSH_BYTES });
  }

  write(value: unknown): void {
    this.writer.write(`${JSON.stringify(value)}\n`);
    this.rows++;
  }

  async close(): Promise<void> {
    await this.writer.end();
  }
}

function withKey(attributes: Record<string, string>, key: string): string {
  return encodeAttributes({ ...attributes, [IMPORT_KEY_ATTRIBUTE]: key });
}

function logLine(row: LogRow, key: string) {
  return { t: row.timestamp, st: row.severityText, sn: row.severityNumber, s: row.serviceName, b: row.body, a: withKey(row.attributes, key) };
}

function metricLine(row: MetricRow, key: string) {
  return { t: row.timestamp, s: row.serviceName, n: row.metricName, v: row.value, a: withKey(row.attributes, key) };
}

/**
 * Inserts the rows of `events` through DuckDB's JSON reader, which ingests several times
 * faster than an appender fed row by row from JavaScript. Runs inside the caller's transaction.
 */
export async function insertEventRows(connection: DuckDBConnection, events: Iterable<UsageEvent>): Promise<InsertedCounts> {
  const dir = mkdtempSync(join(tmpdir(), "ai-observer-rows-"));
  try {
    const logs = new NdjsonFile(join(dir, "logs.ndjson"));
    const metrics = new NdjsonFile(join(dir, "metrics.ndjson"));
    for (const event of events) {
      for (const row of event.logs) logs.write(logLine(row, event.key));
      for (const row of event.metrics) metrics.write(metricLine(row, event.key));
    }
    await Promise.all([logs.close(), metrics.close()]);
    if (logs.rows > 0) await connection.run(insertLogsSql, { file: logs.path });
    if (metrics.rows > 0) await connection.run(insertMetricsSql, { file: metrics.path });
    return { logs: logs.rows, metrics: metrics.rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
