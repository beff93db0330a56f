import { outranksCopy } from "../sources/shared/merge.ts";
import { formatMicros, textMicros } from "../sources/shared/timestamps.ts";
import type { StagedEvent } from "./staged-file.ts";

/** What writing the staged rows of chosen events needs of each (writeStagedTable): its seq, row counts, service and unit. */
export interface ChosenRows {
  readonly size: number;
  seq(i: number): number;
  logs(i: number): number;
  metrics(i: number): number;
  service(i: number): string;
  unit(i: number): string;
}

/** The rows the chosen events have in each table. */
export function rowTotals(chosen: ChosenRows): { logs: number; metrics: number } {
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

const INITIAL_ROWS = 1 << 12;

/** Takes a text value as UTF-8 bytes (a Parquet column, parquet/column-builder.ts). */
export interface ByteSink {
  pushBytes(bytes: Buffer, start: number, end: number): void;
}

function grown<T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(array: T, size: number): T {
  if (size <= array.length) return array;
  const next = new (array.constructor as new (length: number) => T)(Math.max(size, array.length * 2));
  next.set(array);
  return next;
}

/**
 * The keys of a run's events, each once, as UTF-8 bytes in one growing buffer, found through a hash table of typed
 * arrays (open addressing on the key's CRC-32, compared byte for byte on a match). Strings in a `Map` took ~230 bytes
 * of heap per key of ~80 characters.
 */
class KeyTable {
  #bytes = Buffer.allocUnsafe(1 << 20);
  #used = 0;
  #start = new Int32Array(INITIAL_ROWS);
  #length = new Int32Array(INITIAL_ROWS);
  #hash = new Int32Array(INITIAL_ROWS);
  /** Row + 1 per slot; 0: empty. Kept at most half full. */
  #slots = new Int32Array(INITIAL_ROWS * 2);
  size = 0;

  /** The row of `key`, added when it is new (`added` tells which). */
  find(key: string): { row: number; added: boolean } {
    // Bun hashes a string's UTF-8 (a lone surrogate as U+FFFD), the bytes compared below (chosen-events.test.ts).
    const hash = Bun.hash.crc32(key) | 0;
    // Written at the end of the buffer first: kept only when the key is new.
    if (this.#used + key.length * 3 > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.#bytes.length * 2, this.#used + key.length * 3));
      this.#bytes.copy(grown, 0, 0, this.#used);
      this.#bytes = grown;
    }
    const start = this.#used;
    const length = this.#bytes.write(key, start, "utf8");
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.#slots[slot] as number;
      if (entry === 0) {
        const row = this.#add(start, length, hash);
        this.#slots[slot] = row + 1;
        if (this.size * 2 > this.#slots.length) this.#rehash();
        return { row, added: true };
      }
      const row = entry - 1;
      if (this.#hash[row] !== hash || this.#length[row] !== length) continue;
      const at = this.#start[row] as number;
      if (this.#bytes.compare(this.#bytes, at, at + length, start, start + length) === 0) return { row, added: false };
    }
  }

  key(row: number): string {
    const start = this.#start[row] as number;
    return this.#bytes.toString("utf8", start, start + (this.#length[row] as number));
  }

  /** The key's UTF-8 bytes handed to `sink`, without a string. */
  writeKey(row: number, sink: ByteSink): void {
    const start = this.#start[row] as number;
    sink.pushBytes(this.#bytes, start, start + (this.#length[row] as number));
  }

  #add(start: number, length: number, hash: number): number {
    const row = this.size++;
    this.#used = start + length;
    this.#start = grown(this.#start, this.size);
    this.#length = grown(this.#length, this.size);
    this.#hash = grown(this.#hash, this.size);
    this.#start[row] = start;
    this.#length[row] = length;
    this.#hash[row] = hash;
    return row;
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let row = 0; row < this.size; row++) {
      let slot = (this.#hash[row] as number) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = row + 1;
    }
    this.#slots = slots;
  }
}

/**
 * The chosen copy of every event of a run, by key (the one rule of which copy wins: `outranksCopy`, merge.ts), kept in
 * columns: the key's bytes (KeyTable) and numbers, the model, service and unit as codes. An object per event in a
 * `Map` took ~450 bytes of heap each (613,703 events of 1 GB of Gemini sessions: 278 MB), these columns ~190
 * (docs/performance.md, "Session 9").
 */
export class ChosenEvents implements ChosenRows {
  readonly #keys = new KeyTable();
  #rank = new Float64Array(INITIAL_ROWS);
  #micros = new Float64Array(INITIAL_ROWS);
  #seq = new Float64Array(INITIAL_ROWS);
  #logs = new Int32Array(INITIAL_ROWS);
  #metrics = new Int32Array(INITIAL_ROWS);
  #unpriced = new Uint8Array(INITIAL_ROWS);
  /** Codes of the model, service and unit texts (`#texts`). */
  #model = new Uint16Array(INITIAL_ROWS);
  #service = new Uint16Array(INITIAL_ROWS);
  #unit = new Uint16Array(INITIAL_ROWS);
  /** The caller's number for the chosen copy (an import: the file it came from). */
  #tag = new Int32Array(INITIAL_ROWS);
  readonly #texts: string[] = [];
  readonly #codes = new Map<string, number>();

  get size(): number {
    return this.#keys.size;
  }

  /** Offers a copy of an event; true when it is now its key's chosen copy (kept with `tag`). */
  offer(event: StagedEvent, tag = 0): boolean {
    const micros = textMicros(event.timestamp);
    const { row, added } = this.#keys.find(event.key);
    if (added) this.#grow(row + 1);
    else if (!outranksCopy(event.rank, micros, this.#rank[row] as number, this.#micros[row] as number)) return false;
    this.#set(row, event, micros);
    this.#tag[row] = tag;
    return true;
  }

  rank(i: number): number {
    return this.#rank[i] as number;
  }

  unpriced(i: number): boolean {
    return this.#unpriced[i] === 1;
  }

  model(i: number): string {
    return this.#texts[this.#model[i] as number] as string;
  }

  tag(i: number): number {
    return this.#tag[i] as number;
  }

  key(i: number): string {
    return this.#keys.key(i);
  }

  timestamp(i: number): string {
    return formatMicros(this.#micros[i] as number);
  }

  /** The timestamp in microseconds since the epoch (UTC). */
  micros(i: number): number {
    return this.#micros[i] as number;
  }

  writeKey(i: number, sink: ByteSink): void {
    this.#keys.writeKey(i, sink);
  }

  seq(i: number): number {
    return this.#seq[i] as number;
  }

  logs(i: number): number {
    return this.#logs[i] as number;
  }

  metrics(i: number): number {
    return this.#metrics[i] as number;
  }

  service(i: number): string {
    return this.#texts[this.#service[i] as number] as string;
  }

  unit(i: number): string {
    return this.#texts[this.#unit[i] as number] as string;
  }

  /** The models of the chosen events (of `rows`, else all) that had tokens but no price, sorted. */
  unpricedModels(rows?: readonly number[]): string[] {
    const models = new Set<string>();
    const count = rows?.length ?? this.size;
    for (let i = 0; i < count; i++) {
      const row = rows ? (rows[i] as number) : i;
      if (this.#unpriced[row] === 1) models.add(this.model(row));
    }
    return [...models].sort();
  }

  /** The chosen events whose timestamp passes `inRange` (null: all) and whose service is `service` (null: any). */
  select(inRange: ((timestamp: string) => boolean) | null, service: string | null): ChosenRows {
    if (inRange === null && service === null) return this;
    const code = service === null ? -1 : (this.#codes.get(service) ?? -2);
    const picked: number[] = [];
    for (let i = 0; i < this.size; i++) {
      if (code !== -1 && this.#service[i] !== code) continue;
      if (inRange !== null && !inRange(this.timestamp(i))) continue;
      picked.push(i);
    }
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

  #set(row: number, event: StagedEvent, micros: number): void {
    this.#rank[row] = event.rank;
    this.#micros[row] = micros;
    this.#seq[row] = event.seq;
    this.#logs[row] = event.logs;
    this.#metrics[row] = event.metrics;
    this.#unpriced[row] = event.unpriced ? 1 : 0;
    this.#model[row] = this.#code(event.model);
    this.#service[row] = this.#code(event.service);
    this.#unit[row] = this.#code(event.unit);
  }

  #code(text: string): number {
    let code = this.#codes.get(text);
    if (code === undefined) {
      code = this.#texts.length;
      if (code > 0xffff) throw new Error("more than 65,536 distinct models, services and units in one run");
      this.#texts.push(text);
      this.#codes.set(text, code);
    }
    return code;
  }

  #grow(size: number): void {
    this.#rank = grown(this.#rank, size);
    this.#micros = grown(this.#micros, size);
    this.#seq = grown(this.#seq, size);
    this.#logs = grown(this.#logs, size);
    this.#metrics = grown(this.#metrics, size);
    this.#unpriced = grown(this.#unpriced, size);
    this.#model = grown(this.#model, size);
    this.#service = grown(this.#service, size);
    this.#unit = grown(this.#unit, size);
    this.#tag = grown(this.#tag, size);
  }
}
