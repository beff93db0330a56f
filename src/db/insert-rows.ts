import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onInterrupt } from "../signals.ts";
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

const FLUSH_LINES = 20_000;

/** Collects lines and writes them in large pieces (one write per line is several times slower). */
class LineFile {
  readonly path: string;
  private readonly writer: ReturnType<ReturnType<typeof Bun.file>["writer"]>;
  private pending: string[] = [];
  rows = 0;

  constructor(path: string) {
    this.path = path;
    this.writer = Bun.file(path).writer({ highWaterMark: 8 * 1024 * 1024 });
  }

  /** `rows`: how many table rows the line becomes. */
  write(line: string, rows = 1): void {
    this.pending.push(line);
    this.rows += rows;
    if (this.pending.length >= FLUSH_LINES) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.writer.write(`${this.pending.join("\n")}\n`);
    this.pending = [];
  }

  async close(): Promise<void> {
    this.flush();
    await this.writer.end();
  }
}

// Built as text: the timestamps, names and numbers need no escaping beyond JSON.stringify of strings.
function logLine(row: LogRow, key: string): string {
  const attributes = JSON.stringify(encodeAttributes(row.attributes, IMPORT_KEY_ATTRIBUTE, key));
  return `{"t":${JSON.stringify(row.timestamp)},"st":${JSON.stringify(row.severityText)},"sn":${row.severityNumber},"s":${JSON.stringify(row.serviceName)},"b":${JSON.stringify(row.body)},"a":${attributes}}`;
}

const TSV_UNSAFE = /[\t\n\r]/;

/** Names, timestamps and services are our own constants and formats; a tab or line break in one is a bug. */
function tsvField(text: string): string {
  if (TSV_UNSAFE.test(text)) throw new Error(`unexpected control character in ${JSON.stringify(text)}`);
  return text;
}

function metricLine(row: MetricRow, names: readonly string[], key: string): string {
  const attributes = encodeAttributes(row.attributes, IMPORT_KEY_ATTRIBUTE, key);
  return `${tsvField(row.timestamp)}\t${tsvField(row.serviceName)}\t${tsvField(names.join(","))}\t${row.value}\t${attributes}`;
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

/** Rows that differ only in their metric name (Claude's `_user_facing` twins) share one line. */
function writeMetrics(file: LineFile, rows: readonly MetricRow[], key: string): void {
  let index = 0;
  while (index < rows.length) {
    const row = rows[index] as MetricRow;
    const names = [row.metricName];
    let next = index + 1;
    for (; next < rows.length; next++) {
      const twin = rows[next] as MetricRow;
      if (twin.value !== row.value || twin.timestamp !== row.timestamp || twin.serviceName !== row.serviceName) break;
      if (!sameAttributes(twin.attributes, row.attributes)) break;
      names.push(twin.metricName);
    }
    file.write(metricLine(row, names, key), names.length);
    index = next;
  }
}

/**
 * Inserts the rows of `events` through DuckDB's JSON reader, which ingests several times
 * faster than an appender fed row by row from JavaScript. Runs inside the caller's transaction.
 */
export async function insertEventRows(connection: DuckDBConnection, events: Iterable<UsageEvent>): Promise<InsertedCounts> {
  const dir = mkdtempSync(join(tmpdir(), "ai-observer-rows-"));
  // A signal ends the process without running `finally`: remove the folder then too.
  const stopCleanup = onInterrupt(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const logs = new LineFile(join(dir, "logs.ndjson"));
    const metrics = new LineFile(join(dir, "metrics.tsv"));
    for (const event of events) {
      for (const row of event.logs) logs.write(logLine(row, event.key));
      writeMetrics(metrics, event.metrics, event.key);
    }
    await Promise.all([logs.close(), metrics.close()]);
    if (logs.rows > 0) await connection.run(insertLogsSql, { file: logs.path });
    if (metrics.rows > 0) await connection.run(insertMetricsSql, { file: metrics.path });
    return { logs: logs.rows, metrics: metrics.rows };
  } finally {
    stopCleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}
