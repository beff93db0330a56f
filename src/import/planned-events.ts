import type { ChosenEvents, ChosenRows } from "../staging/chosen-events.ts";
import type { ByteSink } from "../staging/key-file.ts";
import type { StoredCopy } from "./stored-events.ts";

/**
 * Why an event is written: `new` key; `update`: more complete than the stored copy; `forced`: replaced by `--force`;
 * `repaired`: replaced because an older parser version made the stored copy; `priced`: the same copy, stored without
 * cost rows, now priced.
 */
export type PlanReason = "new" | "update" | "forced" | "repaired" | "priced";

const REASONS: readonly PlanReason[] = ["new", "update", "forced", "repaired", "priced"];

/**
 * The events an import writes for one tool: rows of the run's chosen events (ChosenEvents), in order, with why each
 * is written and the stored copy it replaces. Numbers and indexes, not an object per event (an import of a million
 * events held ~500 MB of them).
 */
export class PlannedEvents implements ChosenRows {
  #chosen: ChosenEvents | null;
  #rows: number[] = [];
  #reasons: number[] = [];
  /** The stored copy each planned event (by its index here) replaces. */
  readonly #replaces = new Map<number, StoredCopy>();
  /** Set by `releaseKeys` (and so by `release`): the replaced events, with their keys. */
  #replacedWithKeys: { key: string; stored: StoredCopy }[] | null = null;
  /** Set by `release`: the size and the counts by reason, still asked for afterwards. */
  #released: { size: number; counts: number[] } | null = null;

  /** `files`: the paths the chosen events' tags number. */
  constructor(
    chosen: ChosenEvents | null,
    private readonly files: readonly string[],
  ) {
    this.#chosen = chosen;
  }

  /** Nothing planned (a tool none of whose files changed). */
  static none(): PlannedEvents {
    return new PlannedEvents(null, []);
  }

  /** Plans the chosen event `row`. */
  add(row: number, reason: PlanReason, replaces: StoredCopy | null): void {
    if (replaces) this.#replaces.set(this.#rows.length, replaces);
    this.#rows.push(row);
    this.#reasons.push(REASONS.indexOf(reason));
  }

  get size(): number {
    return this.#released?.size ?? this.#rows.length;
  }

  count(reason: PlanReason): number {
    const code = REASONS.indexOf(reason);
    return this.#released?.counts[code] ?? this.#reasons.reduce((sum, value) => sum + (value === code ? 1 : 0), 0);
  }

  /**
   * Lets go of the chosen events' keys once the bookkeeping rows are written (StagedTables.write): `key` and `writeKey`
   * then throw; the replaced events keep theirs.
   */
  releaseKeys(): void {
    if (this.#chosen === null || this.#replacedWithKeys !== null) return;
    this.#replacedWithKeys = this.replaced();
    this.#chosen.releaseKeys();
  }

  /**
   * Lets go of the chosen events once what an import inserts is written (StagedTables.write): afterwards only the size,
   * the counts by reason and the replaced events are there, and the other accessors throw.
   */
  release(): void {
    if (this.#released) return;
    this.releaseKeys();
    this.#released = { size: this.size, counts: REASONS.map((reason) => this.count(reason)) };
    this.#chosen = null;
    this.#rows = [];
    this.#reasons = [];
    this.#replaces.clear();
  }

  /**
   * The chosen events. The accessors below are methods: as arrow functions that passed a callback, they left garbage
   * per call, and the import of 1 GB of Gemini sessions (613,703 events) peaked ~100 MB higher.
   */
  #events(): ChosenEvents {
    if (this.#chosen === null) throw new Error(this.#released ? "the planned events were released" : "no event is planned");
    return this.#chosen;
  }

  /** The chosen event that planned event `i` is. */
  #row(i: number): number {
    return this.#rows[i] as number;
  }

  key(i: number): string {
    return this.#events().key(this.#row(i));
  }

  rank(i: number): number {
    return this.#events().rank(this.#row(i));
  }

  timestamp(i: number): string {
    return this.#events().timestamp(this.#row(i));
  }

  micros(i: number): number {
    return this.#events().micros(this.#row(i));
  }

  writeKey(i: number, sink: ByteSink): void {
    this.#events().writeKey(this.#row(i), sink);
  }

  unpriced(i: number): boolean {
    return this.#events().unpriced(this.#row(i));
  }

  filePath(i: number): string {
    return this.files[this.#events().tag(this.#row(i))] as string;
  }

  seq(i: number): number {
    return this.#events().seq(this.#row(i));
  }

  logs(i: number): number {
    return this.#events().logs(this.#row(i));
  }

  metrics(i: number): number {
    return this.#events().metrics(this.#row(i));
  }

  service(i: number): string {
    return this.#events().service(this.#row(i));
  }

  unit(i: number): string {
    return this.#events().unit(this.#row(i));
  }

  /** The planned events that replace a stored copy: their key and the stored copy. */
  replaced(): { key: string; stored: StoredCopy }[] {
    return this.#replacedWithKeys ?? [...this.#replaces].map(([i, stored]) => ({ key: this.key(i), stored }));
  }

  /** Models of the planned events that had tokens but no price, sorted. */
  unpricedModels(): string[] {
    return this.#chosen?.unpricedModels(this.#rows) ?? [];
  }
}
