import { textMicros } from "../sources/shared/timestamps.ts";
import type { LogRow, MetricRow, ParsedFile, UsageEvent } from "../sources/types.ts";
import { LOG_SHAPE, METRIC_SHAPE } from "./row-shape.ts";
import type { FragmentMemory } from "./fragment-memory.ts";
import type { FragmentArena, ArenaLease } from "./fragment-arena.ts";
import { StagedColumnsBuilder } from "./staged-columns.ts";
import { type StagedEvents, StagedEventsBuilder } from "./staged-events.ts";

/**
 * What a parse hands on, in or out of a worker thread: the file's facts, its usage events in typed arrays
 * (staged-events.ts), and the events' rows already encoded as Parquet column values (staged-columns.ts),
 * so that no row or event object crosses threads and the caller keeps no rows in memory.
 */
export interface StagedFile {
  file: FileSummary;
  events: StagedEvents;
  /**
   * The log rows' fragment (at the start of its own buffer: a worker hands it over without a copy); empty without
   * rows. `StagedRows.add` takes it over: once written out, its memory is filled again.
   */
  logBytes: Uint8Array;
  /** The metric rows' fragment, likewise. */
  metricBytes: Uint8Array;
  /**
   * With `streamLogs` (see `stageFile`): the log rows of the events that may be written as soon as their file's turn
   * comes, in a fragment of their own (their events have no rows in `logBytes`); else empty.
   */
  streamLogBytes: Uint8Array;
  /** Where `streamLogBytes` lies in its thread's FragmentArena, to be given back once written; null: a buffer of its own. */
  streamLease: ArenaLease | null;
}

/** The memory a thread stages fragments in (see ThreadMemory). */
export interface StagingMemory {
  fragments: FragmentMemory;
  arena: FragmentArena | null;
}

/** A parsed file without its events (`eventCount` says how many it had). */
export type FileSummary = Omit<ParsedFile, "events"> & { eventCount: number };

/** Room for this many events per file in `seq` (files hold thousands). */
export const SEQ_PER_FILE = 2 ** 24;

/**
 * The service of an event's rows, which must all have the event's timestamp and one service: a time
 * range or service filter then selects whole events, and rows can be counted from the events alone.
 */
export function rowService(event: UsageEvent): string {
  const service = event.logs[0]?.serviceName ?? event.metrics[0]?.serviceName ?? "";
  for (const rows of [event.logs, event.metrics]) {
    for (const row of rows) {
      if (row.timestamp !== event.timestamp || row.serviceName !== service) {
        throw new Error(`event ${event.key}: its rows differ in time or service (${row.timestamp} ${row.serviceName})`);
      }
    }
  }
  return service;
}

/** The unit of an event's metric rows, which must all have the same. */
export function rowUnit(event: UsageEvent): string {
  const unit = event.metrics[0]?.unit ?? "";
  for (const row of event.metrics) if ((row.unit ?? "") !== unit) throw new Error(`event ${event.key}: its metric rows differ in unit`);
  return unit;
}

// One set per thread, reused from file to file (a file is staged in one go).
const logs = new StagedColumnsBuilder<LogRow>(LOG_SHAPE);
const metrics = new StagedColumnsBuilder<MetricRow>(METRIC_SHAPE);
const streamLogs = new StagedColumnsBuilder<LogRow>(LOG_SHAPE);
const NO_ROWS: LogRow[] = [];

/**
 * Whether an event's log rows may be written as soon as its file's turn comes: its first copy stays the chosen one
 * unless a later copy outranks it (`outranksCopy`), which at rank 0 takes an earlier time, which copies of one line do
 * not have. Transcript rows are such events, and the bulk of the bytes.
 */
export function mayStream(rank: number, logs: number): boolean {
  return rank === 0 && logs > 0;
}

/** One event's rows into the builders (`stream`: its log rows into the stream's if it `mayStream`), and its record into `events`. */
export function stageEvent(event: UsageEvent, seq: number, events: StagedEventsBuilder, stream = false): void {
  const service = rowService(event);
  const unit = event.metrics.length > 0 ? rowUnit(event) : "";
  const micros = textMicros(event.timestamp);
  if (stream) {
    const streamed = mayStream(event.rank, event.logs.length);
    logs.addEvent(streamed ? NO_ROWS : event.logs, event.key, micros);
    streamLogs.addEvent(streamed ? event.logs : NO_ROWS, event.key, micros);
  } else {
    logs.addEvent(event.logs, event.key, micros);
  }
  metrics.addEvent(event.metrics, event.key, micros);
  events.add(event.key, event.rank, micros, seq, event.model, event.unpriced, service, unit, event.logs.length, event.metrics.length);
}

/**
 * `ordinal`: the file's place among all files of the run (0, 1, …), which numbers its events. `memory`: this
 * thread's memory for the fragments (see ThreadMemory). `streamLogs`: the log rows of the events that `mayStream`
 * go to `streamLogBytes`, in the thread's arena when it has room.
 */
export function stageFile(parsed: ParsedFile, ordinal: number, memory?: StagingMemory, stream = false): StagedFile {
  if (parsed.events.length >= SEQ_PER_FILE) throw new Error(`${parsed.path}: more than ${SEQ_PER_FILE} usage events in one file`);
  logs.reset(ordinal);
  metrics.reset(ordinal);
  if (stream) streamLogs.reset(ordinal);
  const events = new StagedEventsBuilder(parsed.events.length);
  for (let e = 0; e < parsed.events.length; e++) stageEvent(parsed.events[e] as UsageEvent, ordinal * SEQ_PER_FILE + e, events, stream);
  const { events: _, release: __, ...facts } = parsed;
  const streamSize = stream ? streamLogs.size : 0;
  const room = streamSize > 0 ? (memory?.arena?.take(streamSize) ?? null) : null;
  return {
    file: { ...facts, eventCount: parsed.events.length },
    events: events.finish(),
    logBytes: logs.finish(memory?.fragments),
    metricBytes: metrics.finish(memory?.fragments),
    streamLogBytes: room ? streamLogs.writeTo(room.bytes) : stream ? streamLogs.finish(memory?.fragments) : new Uint8Array(0),
    streamLease: room?.lease ?? null,
  };
}
