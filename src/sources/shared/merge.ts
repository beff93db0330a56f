import type { LogRow, MetricRow, ParsedFile, UsageEvent } from "../types.ts";

/** What the choice between copies of one event looks at. */
export interface RankedEvent {
  key: string;
  rank: number;
  timestamp: string;
}

/**
 * Which copy of an event wins, the one rule for it (EventSet and ChosenEvents within a run, plan-import.ts against a
 * stored copy): true when the candidate should replace the current copy, for a higher rank, or the same rank and an
 * earlier time. Times are `Instant.text` (fixed width: text order is time order) or its epoch microseconds.
 */
export function outranksCopy(candidateRank: number, candidateTime: string | number, currentRank: number, currentTime: string | number): boolean {
  if (candidateRank !== currentRank) return candidateRank > currentRank;
  return candidateTime < currentTime;
}

/** `outranksCopy` of two events' ranks and timestamps. */
export function outranks(candidate: RankedEvent, current: RankedEvent): boolean {
  return outranksCopy(candidate.rank, candidate.timestamp, current.rank, current.timestamp);
}

/**
 * Keeps, per key, the event with the highest rank; equal ranks keep the earlier timestamp, then the first seen
 * (so copies that differ only in time give the same answer in any file order). Insertion order is kept.
 */
export class EventSet<T extends RankedEvent = UsageEvent> {
  readonly #events = new Map<string, T>();

  /** True when `event` is now the kept copy of its key. */
  add(event: T): boolean {
    const current = this.#events.get(event.key);
    if (current !== undefined && !outranks(event, current)) return false;
    this.#events.set(event.key, event);
    return true;
  }

  values(): T[] {
    return [...this.#events.values()];
  }
}

export interface MergedRows {
  logs: LogRow[];
  metrics: MetricRow[];
  /** Models of counted events that had tokens but no price, sorted. */
  unpricedModels: string[];
}

/** The winning event per key over all files (files in the order given). Pure. */
export function selectEvents(files: readonly ParsedFile[]): UsageEvent[] {
  const set = new EventSet();
  for (const file of files) for (const event of file.events) set.add(event);
  return set.values();
}

/** Models of the events that had tokens but no price, sorted. */
function unpricedModels(events: readonly { model: string; unpriced: boolean }[]): string[] {
  return [...new Set(events.filter((event) => event.unpriced).map((event) => event.model))].sort();
}

/** Merge many files' events into rows: group by key, keep the highest rank. Pure. */
export function mergeEvents(files: readonly ParsedFile[]): MergedRows {
  const events = selectEvents(files);
  return { logs: events.flatMap((event) => event.logs), metrics: events.flatMap((event) => event.metrics), unpricedModels: unpricedModels(events) };
}
