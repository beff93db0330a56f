import { encodeAttributes } from "../sources/shared/attributes.ts";
import type { LogRow, MetricRow } from "../sources/types.ts";

/** The attribute that ties a stored row to its usage event, so a better copy can replace it later. */
export const IMPORT_KEY_ATTRIBUTE = "import.key";

/**
 * The text formats of staged rows, one line per row, read by src/db/staged-logs.sql and
 * staged-metrics.sql. `seq` is the row's event (see StagedEvent.seq). Logs are NDJSON (a body
 * may hold any text); metrics are tab-separated (every field is ours or escaped JSON).
 */
export function logLine(row: LogRow, key: string, seq: number): string {
  const attributes = JSON.stringify(encodeAttributes(row.attributes, IMPORT_KEY_ATTRIBUTE, key));
  return `{"t":${JSON.stringify(row.timestamp)},"st":${JSON.stringify(row.severityText)},"sn":${row.severityNumber},"s":${JSON.stringify(row.serviceName)},"b":${JSON.stringify(row.body)},"a":${attributes},"q":${seq}}`;
}

const TSV_UNSAFE = /[\t\n\r]/;

/** Names, timestamps and services are our own constants and formats; a tab or line break in one is a bug. */
function tsvField(text: string): string {
  if (TSV_UNSAFE.test(text)) throw new Error(`unexpected control character in ${JSON.stringify(text)}`);
  return text;
}

/** Metric names are ours too, and a comma in one would split it. */
function metricName(name: string): string {
  if (name.includes(",")) throw new Error(`unexpected comma in metric name ${JSON.stringify(name)}`);
  return tsvField(name);
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

/**
 * Appends the lines of one event's metric rows to `lines`. Rows that differ only in their metric
 * name (Claude's `_user_facing` twins) share one line, whose name field lists them, comma-separated.
 */
export function appendMetricLines(lines: string[], rows: readonly MetricRow[], key: string, seq: number): void {
  let index = 0;
  while (index < rows.length) {
    const row = rows[index] as MetricRow;
    let names = metricName(row.metricName);
    let next = index + 1;
    for (; next < rows.length; next++) {
      const twin = rows[next] as MetricRow;
      if (twin.value !== row.value || twin.timestamp !== row.timestamp || twin.serviceName !== row.serviceName) break;
      if (!sameAttributes(twin.attributes, row.attributes)) break;
      names += `,${metricName(twin.metricName)}`;
    }
    const attributes = encodeAttributes(row.attributes, IMPORT_KEY_ATTRIBUTE, key);
    lines.push(`${tsvField(row.timestamp)}\t${tsvField(row.serviceName)}\t${names}\t${row.value}\t${attributes}\t${seq}`);
    index = next;
  }
}
