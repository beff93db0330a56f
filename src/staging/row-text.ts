import { closeSync, openSync, readSync } from "node:fs";
import { encodeAttributes } from "../sources/shared/attributes.ts";
import type { LogRow, MetricRow } from "../sources/types.ts";

/** The attribute that ties a stored row to its usage event, so a better copy can replace it later. */
export const IMPORT_KEY_ATTRIBUTE = "import.key";

/*
 * The text formats of staged rows: one line per row (per pair of metric twins), tab-separated,
 * the last field the row's event `seq` (see StagedEvent.seq). Timestamps, services, severities
 * and metric names are our own constants and formats; attribute maps are Go-encoded JSON, which
 * escapes every control character; a log body, which may be any text, is a JSON string.
 *
 *   log:    timestamp  severityText  severityNumber  service  bodyJson  attributesJson  seq
 *   metric: timestamp  service       names           value    attributesJson           seq
 */

export const LOG_FIELDS = 7;
export const METRIC_FIELDS = 6;

const TSV_UNSAFE = /[\t\n\r]/;

/** Checks a field the format writes as it is; `checked` remembers the values seen (they repeat on every row). */
const checked = new Set<string>();
export function tsvField(text: string): string {
  if (checked.has(text)) return text;
  if (TSV_UNSAFE.test(text)) throw new Error(`unexpected control character in ${JSON.stringify(text)}`);
  if (checked.size >= 10_000) checked.clear();
  checked.add(text);
  return text;
}

/** Metric names are ours too, and a comma in one would split it. */
function metricName(name: string): string {
  if (checked.has(name)) return name;
  if (name.includes(",")) throw new Error(`unexpected comma in metric name ${JSON.stringify(name)}`);
  return tsvField(name);
}

const bodies = new Map<string, string>();
/** A body as a JSON string; bodies are a few event names, so their JSON is kept. */
function bodyJson(body: string): string {
  let json = bodies.get(body);
  if (json === undefined) {
    json = JSON.stringify(body);
    if (bodies.size < 1_000) bodies.set(body, json);
  }
  return json;
}

/** A log row's line. Its timestamp and service are the event's, which the caller has checked (`tsvField`). */
export function logLine(row: LogRow, key: string, seq: number): string {
  const attributes = encodeAttributes(row.attributes, IMPORT_KEY_ATTRIBUTE, key);
  return `${row.timestamp}\t${tsvField(row.severityText)}\t${row.severityNumber}\t${row.serviceName}\t${bodyJson(row.body)}\t${attributes}\t${seq}`;
}

function sameAttributes(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}

/**
 * Appends the lines of one event's metric rows to `lines`. Rows that differ only in their metric
 * name (Claude's `_user_facing` twins) share one line, whose name field lists them, comma-separated.
 * Their timestamp and service are the event's, which the caller has checked (`tsvField`).
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
    lines.push(`${row.timestamp}\t${row.serviceName}\t${names}\t${row.value}\t${attributes}\t${seq}`);
    index = next;
  }
}

/** One staged line: field `i` is `bytes[starts[i]..ends[i]]`. Valid only during the callback. */
export interface StagedLine {
  bytes: Buffer;
  starts: Int32Array;
  ends: Int32Array;
}

const READ_SIZE = 4 << 20;

/** Calls `onLine` for each line of a staged row file, split into `fields` fields (a line with another count is an error). */
export async function readStagedLines(path: string, fields: number, onLine: (line: StagedLine) => void | Promise<void>): Promise<void> {
  const fd = openSync(path, "r");
  try {
    const line: StagedLine = { bytes: Buffer.alloc(0), starts: new Int32Array(fields), ends: new Int32Array(fields) };
    let buffer = Buffer.allocUnsafe(READ_SIZE);
    let kept = 0; // bytes of an unfinished line at the start of `buffer`
    for (;;) {
      if (kept === buffer.length) {
        const grown = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(grown, 0, 0, kept);
        buffer = grown;
      }
      const read = readSync(fd, buffer, kept, buffer.length - kept, null);
      const end = kept + read;
      if (read === 0) {
        if (kept > 0) throw new Error(`${path}: the last staged line has no newline`);
        return;
      }
      let start = 0;
      for (let newline = buffer.indexOf(10, kept); newline >= 0 && newline < end; newline = buffer.indexOf(10, start)) {
        let from = start;
        for (let field = 0; field < fields; field++) {
          const tab = field === fields - 1 ? newline : buffer.indexOf(9, from);
          if (tab < 0 || tab > newline) throw new Error(`${path}: a staged line without ${fields} fields`);
          line.starts[field] = from;
          line.ends[field] = tab;
          from = tab + 1;
        }
        line.bytes = buffer;
        const pending = onLine(line);
        if (pending) await pending;
        start = newline + 1;
        if (start >= end) break;
      }
      kept = end - start;
      buffer.copy(buffer, 0, start, end);
    }
  } finally {
    closeSync(fd);
  }
}
