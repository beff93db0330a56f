import type { ParsedFile, UsageEvent } from "../sources/types.ts";
import { appendMetricLines, logLine, tsvField } from "./row-text.ts";

/**
 * What a parse hands on, in or out of a worker thread: the file's facts, a compact record of each
 * usage event, and the events' rows already rendered as staged text (see row-text.ts), so that no
 * row object crosses threads and the caller keeps no rows in memory.
 */
export interface StagedFile {
  file: FileSummary;
  events: StagedEvent[];
  /** Lines of staged log rows, each ending in a newline, as UTF-8 (its own buffer: a worker hands it over without a copy). */
  logBytes: Uint8Array;
  /** Lines of staged metric rows, likewise. */
  metricBytes: Uint8Array;
}

/** A parsed file without its events (`eventCount` says how many it had). */
export type FileSummary = Omit<ParsedFile, "events"> & { eventCount: number };

/** A usage event without its rows, which are staged under its `seq`. */
export interface StagedEvent {
  key: string;
  rank: number;
  timestamp: string;
  model: string;
  unpriced: boolean;
  /** `ordinal × SEQ_PER_FILE + index in the file`: unique in a run, and in the order the events were read. */
  seq: number;
  /** The ServiceName of its rows (`""` when it has none). Its rows all have its timestamp and this service. */
  service: string;
  logs: number;
  metrics: number;
}

/** Room for this many events per file in `seq` (files hold thousands). */
export const SEQ_PER_FILE = 2 ** 24;

const encoder = new TextEncoder();

function bytes(lines: string[]): Uint8Array {
  return encoder.encode(lines.length === 0 ? "" : `${lines.join("\n")}\n`);
}

/**
 * The service of an event's rows, which must all have the event's timestamp and one service: a time
 * range or service filter then selects whole events, and rows can be counted from the events alone.
 */
function rowService(event: UsageEvent): string {
  const service = event.logs[0]?.serviceName ?? event.metrics[0]?.serviceName ?? "";
  for (const rows of [event.logs, event.metrics]) {
    for (const row of rows) {
      if (row.timestamp !== event.timestamp || row.serviceName !== service) {
        throw new Error(`event ${event.key}: its rows differ in time or service (${row.timestamp} ${row.serviceName})`);
      }
    }
  }
  tsvField(event.timestamp);
  tsvField(service);
  return service;
}

/** `ordinal`: the file's place among all files of the run (0, 1, …), which numbers its events. */
export function stageFile(parsed: ParsedFile, ordinal: number): StagedFile {
  if (parsed.events.length >= SEQ_PER_FILE) throw new Error(`${parsed.path}: more than ${SEQ_PER_FILE} usage events in one file`);
  const logLines: string[] = [];
  const metricLines: string[] = [];
  const events = parsed.events.map((event, index): StagedEvent => {
    const seq = ordinal * SEQ_PER_FILE + index;
    const service = rowService(event);
    for (const row of event.logs) logLines.push(logLine(row, event.key, seq));
    appendMetricLines(metricLines, event.metrics, event.key, seq);
    const { key, rank, timestamp, model, unpriced } = event;
    return { key, rank, timestamp, model, unpriced, seq, service, logs: event.logs.length, metrics: event.metrics.length };
  });
  const { events: _, ...facts } = parsed;
  return { file: { ...facts, eventCount: events.length }, events, logBytes: bytes(logLines), metricBytes: bytes(metricLines) };
}
