import type { LogRow, MetricRow, ParsedFile, UsageEvent } from "../types.ts";

/** True when `candidate` should replace `current`: a higher rank, or the same rank and an earlier timestamp. */
export function outranks(candidate: UsageEvent, current: UsageEvent): boolean {
  if (candidate.rank !== current.rank) return candidate.rank > current.rank;
  return candidate.timestamp < current.timestamp;
}

/**
 * Keeps, per key, the event with the highest rank; equal ranks keep the earlier timestamp, then the first seen
 * (so copies that differ only in time give the same answer in any file order). Insertion order is kept.
 */
export class EventSet {
  readonly #events = new Map<string, UsageEvent>();

  add(event: UsageEvent): void {
    const current = this.#events.get(event.key);
    if (current === undefined || outranks(event, current)) this.#events.set(event.key, event);
  }

  values(): UsageEvent[] {
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

/** Merge many files' events into rows: group by key, keep the highest rank. Pure. */
export function mergeEvents(files: readonly ParsedFile[]): MergedRows {
  const events = selectEvents(files);
  const logs = events.flatMap((event) => event.logs);
  for (const file of files) logs.push(...file.otherLogs);
  const unpriced = new Set(events.filter((event) => event.unpriced).map((event) => event.model));
  return { logs, metrics: events.flatMap((event) => event.metrics), unpricedModels: [...unpriced].sort() };
}
