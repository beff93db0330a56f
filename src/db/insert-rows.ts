import { encodeAttributes } from "../sources/shared/attributes.ts";
import type { LogRow, MetricRow, UsageEvent } from "../sources/types.ts";
import type { DuckDBConnection } from "./duckdb.ts";
import insertLogsSql from "./insert-logs.sql" with { type: "text" };
import insertMetricsSql from "./insert-metrics.sql" with { type: "text" };
import stagedEventsSql from "./staged-events.sql" with { type: "text" };
import stagedWinnersSql from "./staged-winners.sql" with { type: "text" };
import { LineFile, ScratchFolder } from "./scratch-files.ts";

/** The attribute that ties a stored row to its usage event, so a better copy can replace it later. */
export const IMPORT_KEY_ATTRIBUTE = "import.key";

export interface InsertedCounts {
  logs: number;
  metrics: number;
}

// Built as text: the timestamps, names and numbers need no escaping beyond JSON.stringify of strings.
function logLine(row: LogRow, key: string, seq: number): string {
  const attributes = JSON.stringify(encodeAttributes(row.attributes, IMPORT_KEY_ATTRIBUTE, key));
  return `{"t":${JSON.stringify(row.timestamp)},"st":${JSON.stringify(row.severityText)},"sn":${row.severityNumber},"s":${JSON.stringify(row.serviceName)},"b":${JSON.stringify(row.body)},"a":${attributes},"q":${seq}}`;
}

const TSV_UNSAFE = /[\t\n\r]/;

/** Names, timestamps and services are our own constants and formats; a tab or line break in one is a bug. */
function tsvField(text: string): string {
  if (TSV_UNSAFE.test(text)) throw new Error(`unexpected control character in ${JSON.stringify(text)}`);
  return text;
}

function metricLine(row: MetricRow, names: readonly string[], key: string, seq: number): string {
  const attributes = encodeAttributes(row.attributes, IMPORT_KEY_ATTRIBUTE, key);
  return `${tsvField(row.timestamp)}\t${tsvField(row.serviceName)}\t${tsvField(names.join(","))}\t${row.value}\t${attributes}\t${seq}`;
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

/** Rows that differ only in their metric name (Claude's `_user_facing` twins) share one line. */
function writeMetrics(file: LineFile, rows: readonly MetricRow[], key: string, seq: number): void {
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
    file.write(metricLine(row, names, key, seq), names.length);
    index = next;
  }
}

const WINNERS_ONLY = "WHERE q IN (SELECT seq FROM staged_winners)";

/**
 * Rows of usage events in temporary files, for DuckDB to load in one statement per table
 * (its file readers ingest several times faster than an appender fed from JavaScript).
 * Each event gets a sequence number; with `stage`, the events' keys and ranks are kept too,
 * so that DuckDB, not JavaScript, picks the copy of each key to keep (see `insertWinners`),
 * and JavaScript never has to hold more than one file's events.
 */
export class RowFiles {
  private readonly folder = new ScratchFolder("ai-observer-rows-");
  private readonly logs = new LineFile(this.folder.file("logs.ndjson"));
  private readonly metrics = new LineFile(this.folder.file("metrics.tsv"));
  private readonly events = new LineFile(this.folder.file("events.ndjson"));
  private seq = 0;

  add(event: UsageEvent, stage = false): void {
    const seq = this.seq++;
    for (const row of event.logs) this.logs.write(logLine(row, event.key, seq));
    writeMetrics(this.metrics, event.metrics, event.key, seq);
    if (stage) {
      const { key, rank, timestamp, model, unpriced } = event;
      this.events.write(JSON.stringify({ q: seq, k: key, r: rank, t: timestamp, m: model, u: unpriced }));
    }
  }

  /** Inserts every row added. */
  async insertAll(connection: DuckDBConnection): Promise<InsertedCounts> {
    await this.close();
    return this.insert(connection, "");
  }

  /**
   * Inserts the rows of the best copy of each key: the highest rank, then the earliest
   * timestamp, then the first added (exactly `EventSet`'s choice). Returns the models of
   * kept events that had no price.
   */
  async insertWinners(connection: DuckDBConnection): Promise<InsertedCounts & { unpricedModels: string[] }> {
    await this.close();
    if (this.events.rows === 0) return { logs: 0, metrics: 0, unpricedModels: [] };
    await connection.run(stagedEventsSql, { file: this.events.path });
    await connection.run(stagedWinnersSql);
    const inserted = await this.insert(connection, WINNERS_ONLY);
    const reader = await connection.runAndReadAll(
      "SELECT DISTINCT m FROM staged_events WHERE u AND q IN (SELECT seq FROM staged_winners) ORDER BY m",
    );
    return { ...inserted, unpricedModels: reader.getRows().map((row) => String(row[0])) };
  }

  dispose(): void {
    this.folder.dispose();
  }

  private async close(): Promise<void> {
    await Promise.all([this.logs.close(), this.metrics.close(), this.events.close()]);
  }

  private async insert(connection: DuckDBConnection, where: string): Promise<InsertedCounts> {
    const logs = this.logs.rows > 0 ? await countOf(connection, insertLogsSql.replaceAll("{{where}}", where), this.logs.path) : 0;
    const metrics = this.metrics.rows > 0 ? await countOf(connection, insertMetricsSql.replaceAll("{{where}}", where), this.metrics.path) : 0;
    return { logs, metrics };
  }
}

async function countOf(connection: DuckDBConnection, sql: string, file: string): Promise<number> {
  const result = await connection.run(sql, { file });
  return Number((await result.getRows())[0]?.[0] ?? 0);
}

/** Inserts the rows of `events`, all of them, inside the caller's transaction. */
export async function insertEventRows(connection: DuckDBConnection, events: Iterable<UsageEvent>): Promise<InsertedCounts> {
  const files = new RowFiles();
  try {
    for (const event of events) files.add(event);
    return await files.insertAll(connection);
  } finally {
    files.dispose();
  }
}
