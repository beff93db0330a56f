import { outranksCopy } from "../sources/shared/merge.ts";
import { formatMicros } from "../sources/shared/timestamps.ts";
import type { StagedEvent, StagedEvents } from "./staged-events.ts";
import { float64s, int32s, uint16s, uint8s } from "./chunked-numbers.ts";
import type { ByteSink, KeyFile } from "./key-file.ts";

/** What writing the staged rows of chosen events needs of each (writeStagedTable): its seq, row counts, service and unit. */
export interface ChosenRows {
  readonly size: number;
  seq(i: number): number;
  logs(i: number): number;
  metrics(i: number): number;
  service(i: number): string;
  unit(i: number): string;
  /** The rows in each table, where they are kept as the rows change (ChosenEvents); rowTotals adds them up otherwise. */
  rowTotals?(): { logs: number; metrics: number };
}

/** The rows the chosen events have in each table. */
export function rowTotals(chosen: ChosenRows): { logs: number; metrics: number } {
  if (chosen.rowTotals) return chosen.rowTotals();
  const totals = { logs: 0, metrics: 0 };
  for (let i = 0; i < chosen.size; i++) {
    totals.logs += chosen.logs(i);
    totals.metrics += chosen.metrics(i);
  }
  return totals;
}

/** ChosenRows over event records. */
export function chosenRowsOf(events: readonly StagedEvent[]): ChosenRows {
  const at = (i: number) => events[i] as StagedEvent;
  return {
    size: events.length,
    seq: (i) => at(i).seq,
    logs: (i) => at(i).logs,
    metrics: (i) => at(i).metrics,
    service: (i) => at(i).service,
    unit: (i) => at(i).unit,
  };
}

/** The rows of several ChosenRows, one after another (an import's tools); a single one as it is. */
export function concatRows(parts: readonly ChosenRows[]): ChosenRows {
  if (parts.length === 1) return parts[0] as ChosenRows;
  const starts: number[] = [];
  let size = 0;
  for (const part of parts) {
    starts.push(size);
    size += part.size;
  }
  /** The part that holds row `i` (no object per call: these run once per event or more). */
  const partOf = (i: number): number => {
    let p = parts.length - 1;
    while ((starts[p] as number) > i) p--;
    return p;
  };
  const at =
    <T>(get: (part: ChosenRows, i: number) => T) =>
    (i: number): T => {
      const p = partOf(i);
      return get(parts[p] as ChosenRows, i - (starts[p] as number));
    };
  return {
    size,
    seq: at((part, i) => part.seq(i)),
    logs: at((part, i) => part.logs(i)),
    metrics: at((part, i) => part.metrics(i)),
    service: at((part, i) => part.service(i)),
    unit: at((part, i) => part.unit(i)),
  };
}

const INITIAL_SLOTS = 1 << 13;

/**
 * The keys of a run's events, each once, found through a hash table of typed arrays (open addressing). A key is known
 * by four 32-bit hashes of its UTF-8 (CRC-32, CityHash32, MurmurHash3 and MurmurHash2: 128 bits, two keys of 10 million
 * alike once in ~10^23 runs), not by its bytes, which `keys` keeps on disk when the caller reads them back. The hashes are
 * made where the event is staged (StagedEventsBuilder): Bun hashes a string's UTF-8, a lone surrogate as U+FFFD
 * (chosen-events.test.ts). Held in memory, the keys' bytes were ~150 MB of
 * the 207 MB that 1.3 million events took (docs/performance.md [S13]).
 */
export class KeyTable {
  readonly #crc32 = int32s();
  readonly #city32 = int32s();
  readonly #murmur3 = int32s();
  readonly #murmur2 = int32s();
  /** Row + 1 per slot; 0: empty. Kept at most half full. */
  #slots = new Int32Array(INITIAL_SLOTS);
  size = 0;

  constructor(private readonly keys: KeyFile | null) {}

  /** The row of event `e`'s key (its hashes: StagedEvents), added when it is new (`added` tells which). */
  find(events: StagedEvents, e: number): { row: number; added: boolean } {
    const h1 = events.hash(e, 0);
    const h2 = events.hash(e, 1);
    const h3 = events.hash(e, 2);
    const h4 = events.hash(e, 3);
    const mask = this.#slots.length - 1;
    for (let slot = h1 & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot] as number;
      if (entry === 0) {
        const row = this.size++;
        this.#crc32.reserve(this.size);
        this.#city32.reserve(this.size);
        this.#murmur3.reserve(this.size);
        this.#murmur2.reserve(this.size);
        this.#crc32.set(row, h1);
        this.#city32.set(row, h2);
        this.#murmur3.set(row, h3);
        this.#murmur2.set(row, h4);
        this.keys?.add(events.keyBytes, events.keyStart(e), events.keyEnd(e));
        this.#slots[slot] = row + 1;
        if (this.size * 2 > this.#slots.length) this.rehash();
        return { row, added: true };
      }
      const row = entry - 1;
      if (this.#crc32.get(row) === h1 && this.#city32.get(row) === h2 && this.#murmur3.get(row) === h3 && this.#murmur2.get(row) === h4) {
        return { row, added: false };
      }
    }
  }

  private keyFile(): KeyFile {
    if (this.keys === null) throw new Error("the chosen events' keys are not kept");
    return this.keys;
  }

  key(row: number): string {
    return this.keyFile().key(row);
  }

  /** The key's UTF-8 bytes handed to `sink`, without a string. */
  writeKey(row: number, sink: ByteSink): void {
    this.keyFile().writeKey(row, sink);
  }

  private rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let row = 0; row < this.size; row++) {
      let slot = this.#crc32.get(row) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = row + 1;
    }
    this.#slots = slots;
  }
}

/** `ChosenEvents.offerTagged`: the copy offered is not chosen (an equal or better one is). */
export const NOT_CHOSEN = -2;
/** `ChosenEvents.offerTagged`: the copy offered is the first of its key. */
const NEW_KEY = -1;
/** `ChosenEvents.#soleService` before any copy is chosen, and once two services were. */
const NO_EVENTS = -1;
const SEVERAL_SERVICES = -2;

/**
 * The chosen copy of every event of a run, by key (the one rule of which copy wins: `outranksCopy`, merge.ts), kept in
 * columns: the key's hashes (KeyTable) and numbers, the model, service and unit as codes. An object per event in a
 * `Map` took ~450 bytes of heap each (613,703 events of 1 GB of Gemini sessions: 278 MB), these columns ~60.
 * `keys`: where the keys are kept for `key` and `writeKey` (an import's bookkeeping); without it they are not.
 */
export class ChosenEvents implements ChosenRows {
  #keys: KeyTable | null;
  /** The size once the keys were let go. */
  #sizeWithoutKeys = 0;
  readonly #rank = float64s();
  readonly #micros = float64s();
  readonly #seq = float64s();
  readonly #logs = int32s();
  readonly #metrics = int32s();
  readonly #unpriced = uint8s();
  /** Codes of the model, service and unit texts (`#texts`). */
  readonly #model = uint16s();
  readonly #service = uint16s();
  readonly #unit = uint16s();
  /** The caller's number for the chosen copy (an import: the file it came from). */
  readonly #tag = int32s();
  readonly #columns = [this.#rank, this.#micros, this.#seq, this.#logs, this.#metrics, this.#unpriced, this.#model, this.#service, this.#unit, this.#tag];
  readonly #texts: string[] = [];
  readonly #codes = new Map<string, number>();
  /** The code of the service of every copy chosen so far, while they share one; NO_EVENTS, or SEVERAL_SERVICES. */
  #soleService = NO_EVENTS;
  /** The rows of the chosen copies, kept as they are chosen (rowTotals). */
  #logRows = 0;
  #metricRows = 0;

  constructor(keys: KeyFile | null = null) {
    this.#keys = new KeyTable(keys);
  }

  get size(): number {
    return this.#keys?.size ?? this.#sizeWithoutKeys;
  }

  /** Offers a copy of an event (event `e` of `events`); true when it is now its key's chosen copy (kept with `tag`). */
  offer(events: StagedEvents, e: number, tag = 0): boolean {
    return this.offerTagged(events, e, tag) !== NOT_CHOSEN;
  }

  /** Offers every event of `events`, in order. */
  offerAll(events: StagedEvents, tag = 0): void {
    for (let e = 0; e < events.count; e++) this.offerTagged(events, e, tag);
  }

  /**
   * `offer`, saying what it did: NOT_CHOSEN, NEW_KEY, or the tag of the copy this one replaced (`lastChosen` is
   * then this copy's index).
   */
  offerTagged(events: StagedEvents, e: number, tag: number): number {
    const micros = events.micros(e);
    const { row, added } = this.keyTable().find(events, e);
    let replaced = NEW_KEY;
    if (added) this.grow(row + 1);
    else if (!outranksCopy(events.rank(e), micros, this.#rank.get(row), this.#micros.get(row))) return NOT_CHOSEN;
    else replaced = this.#tag.get(row);
    this.setRow(row, events, e, micros);
    this.#tag.set(row, tag);
    this.#lastChosen = row;
    return replaced;
  }

  #lastChosen = -1;

  /** The index of the copy `offerTagged` chose last. */
  get lastChosen(): number {
    return this.#lastChosen;
  }

  rank(i: number): number {
    return this.#rank.get(i);
  }

  unpriced(i: number): boolean {
    return this.#unpriced.get(i) === 1;
  }

  model(i: number): string {
    return this.#texts[this.#model.get(i)] as string;
  }

  tag(i: number): number {
    return this.#tag.get(i);
  }

  key(i: number): string {
    return this.keyTable().key(i);
  }

  timestamp(i: number): string {
    return formatMicros(this.#micros.get(i));
  }

  /** The timestamp in microseconds since the epoch (UTC). */
  micros(i: number): number {
    return this.#micros.get(i);
  }

  writeKey(i: number, sink: ByteSink): void {
    this.keyTable().writeKey(i, sink);
  }

  seq(i: number): number {
    return this.#seq.get(i);
  }

  logs(i: number): number {
    return this.#logs.get(i);
  }

  metrics(i: number): number {
    return this.#metrics.get(i);
  }

  service(i: number): string {
    return this.#texts[this.#service.get(i)] as string;
  }

  unit(i: number): string {
    return this.#texts[this.#unit.get(i)] as string;
  }

  /** The models of the chosen events (of `rows`, else all) that had tokens but no price, sorted. */
  unpricedModels(rows?: readonly number[]): string[] {
    const models = new Set<string>();
    const count = rows?.length ?? this.size;
    for (let i = 0; i < count; i++) {
      const row = rows ? (rows[i] as number) : i;
      if (this.#unpriced.get(row) === 1) models.add(this.model(row));
    }
    return [...models].sort();
  }

  /**
   * Lets go of the keys' hash table once no more copies are offered and no key is asked for (an export after its parse,
   * an import once its bookkeeping is written): 1.3 million events' took ~40 MB. `offer`, `key` and `writeKey` then
   * throw.
   */
  releaseKeys(): void {
    this.#sizeWithoutKeys = this.size;
    this.#keys = null;
  }

  /** Whether chosen event `i` is one `select(inRange, service)` picks (`inRange` takes its time in microseconds: microsTest). */
  test(inRange: ((micros: number) => boolean) | null, service: string | null): (i: number) => boolean {
    if (inRange === null && service === null) return () => true;
    let code: number | undefined; // the service's, once an event has it
    return (i) => {
      if (service !== null) {
        code ??= this.#codes.get(service);
        if (code === undefined || this.#service.get(i) !== code) return false;
      }
      return inRange === null || inRange(this.#micros.get(i));
    };
  }

  /** Sets chosen event `i`'s tag (see `offer`). */
  retag(i: number, tag: number): void {
    this.#tag.set(i, tag);
  }

  private keyTable(): KeyTable {
    if (this.#keys === null) throw new Error("the chosen events' keys were released");
    return this.#keys;
  }

  /** The chosen events whose time in microseconds passes `inRange` (null: all) and whose service is `service` (null: any). */
  select(inRange: ((micros: number) => boolean) | null, service: string | null): ChosenRows {
    // An export of one tool's files asks for its service, which every event then has: all of them, without a look at each.
    if (inRange === null && (service === null || this.#soleService === this.#codes.get(service))) return this;
    const passes = this.test(inRange, service);
    const picked: number[] = [];
    for (let i = 0; i < this.size; i++) if (passes(i)) picked.push(i);
    const rows = Int32Array.from(picked);
    const at = (i: number) => rows[i] as number;
    return {
      size: rows.length,
      seq: (i) => this.seq(at(i)),
      logs: (i) => this.logs(at(i)),
      metrics: (i) => this.metrics(at(i)),
      service: (i) => this.service(at(i)),
      unit: (i) => this.unit(at(i)),
    };
  }

  /** The rows the chosen copies have in each table. */
  rowTotals(): { logs: number; metrics: number } {
    return { logs: this.#logRows, metrics: this.#metricRows };
  }

  /** Chosen copy `row` is now event `e` of `events` (a new key's row is all zeros: nothing to take off the totals). */
  private setRow(row: number, events: StagedEvents, e: number, micros: number): void {
    this.#logRows += events.logs(e) - this.#logs.get(row);
    this.#metricRows += events.metrics(e) - this.#metrics.get(row);
    this.#rank.set(row, events.rank(e));
    this.#micros.set(row, micros);
    this.#seq.set(row, events.seq(e));
    this.#logs.set(row, events.logs(e));
    this.#metrics.set(row, events.metrics(e));
    this.#unpriced.set(row, events.unpriced(e) ? 1 : 0);
    this.#model.set(row, this.codeOf(events.model(e)));
    const service = this.codeOf(events.service(e));
    this.#service.set(row, service);
    if (service !== this.#soleService) this.#soleService = this.#soleService === NO_EVENTS ? service : SEVERAL_SERVICES;
    this.#unit.set(row, this.codeOf(events.unit(e)));
  }

  private codeOf(text: string): number {
    let code = this.#codes.get(text);
    if (code === undefined) {
      code = this.#texts.length;
      if (code > 0xffff) throw new Error("more than 65,536 distinct models, services and units in one run");
      this.#texts.push(text);
      this.#codes.set(text, code);
    }
    return code;
  }

  private grow(size: number): void {
    for (const column of this.#columns) column.reserve(size);
  }
}
