import { formatMicros, textMicros } from "../sources/shared/timestamps.ts";

/** A usage event without its rows, which are staged under its `seq`: what choosing among its copies needs. */
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
  /** The MetricUnit of its metric rows (`""`: NULL). */
  unit: string;
  logs: number;
  metrics: number;
}

/** Per event in `numbers`: its rank, its time in microseconds, its seq. */
const NUMBERS = 3;
/** Per event in `ints`: the four hashes of its key (KeyTable), its log and metric rows, unpriced (1) or not, and the codes of its model, service and unit in `texts`. */
const INTS = 10;
const [LOGS, METRICS, UNPRICED, MODEL, SERVICE, UNIT] = [4, 5, 6, 7, 8, 9];

/**
 * The usage events of one staged file, in typed arrays: a parse worker hands them over by transferring four buffers,
 * where an object per event took the worker's structured clone and the receiving thread's decoding, and its
 * collections (1 GB of Gemini sessions with transcripts on two parse workers: the receiving thread's CPU 7.4-7.9 → 5.2-5.5
 * s, the workers' 24-25 → 20-21 s; docs/performance.md [S25]). Each key comes as its four 32-bit hashes (what choosing among copies compares: ChosenEvents) and its
 * UTF-8 (for the import's bookkeeping). After a structured clone, `revive` makes it a StagedEvents again.
 */
export class StagedEvents {
  constructor(
    readonly count: number,
    readonly numbers: Float64Array,
    readonly ints: Int32Array,
    /** The keys' UTF-8, one after another: event `e`'s ends at `keyEnds[e]`. */
    readonly keyBytes: Uint8Array,
    readonly keyEnds: Int32Array,
    /** The model, service and unit texts the codes stand for. */
    readonly texts: readonly string[],
  ) {}

  /** A StagedEvents again, from the plain object a structured clone made of one. */
  static revive(data: StagedEvents): StagedEvents {
    return new StagedEvents(data.count, data.numbers, data.ints, data.keyBytes, data.keyEnds, data.texts);
  }

  /** The buffers to transfer with it (each its own). */
  buffers(): ArrayBuffer[] {
    return [this.numbers.buffer, this.ints.buffer, this.keyBytes.buffer, this.keyEnds.buffer] as ArrayBuffer[];
  }

  rank(e: number): number {
    return this.numbers[e * NUMBERS] as number;
  }

  /** The timestamp in microseconds since the epoch (UTC). */
  micros(e: number): number {
    return this.numbers[e * NUMBERS + 1] as number;
  }

  seq(e: number): number {
    return this.numbers[e * NUMBERS + 2] as number;
  }

  /** Hash `h` (0-3) of the key. */
  hash(e: number, h: number): number {
    return this.ints[e * INTS + h] as number;
  }

  logs(e: number): number {
    return this.ints[e * INTS + LOGS] as number;
  }

  metrics(e: number): number {
    return this.ints[e * INTS + METRICS] as number;
  }

  unpriced(e: number): boolean {
    return this.ints[e * INTS + UNPRICED] === 1;
  }

  model(e: number): string {
    return this.texts[this.ints[e * INTS + MODEL] as number] as string;
  }

  service(e: number): string {
    return this.texts[this.ints[e * INTS + SERVICE] as number] as string;
  }

  unit(e: number): string {
    return this.texts[this.ints[e * INTS + UNIT] as number] as string;
  }

  keyStart(e: number): number {
    return e === 0 ? 0 : (this.keyEnds[e - 1] as number);
  }

  keyEnd(e: number): number {
    return this.keyEnds[e] as number;
  }

  key(e: number): string {
    return Buffer.from(this.keyBytes.buffer, this.keyBytes.byteOffset, this.keyBytes.length).toString("utf8", this.keyStart(e), this.keyEnd(e));
  }

  timestamp(e: number): string {
    return formatMicros(this.micros(e));
  }

  /** Event `e` as a record (tests, and code that is not per event). */
  record(e: number): StagedEvent {
    return {
      key: this.key(e),
      rank: this.rank(e),
      timestamp: this.timestamp(e),
      model: this.model(e),
      unpriced: this.unpriced(e),
      seq: this.seq(e),
      service: this.service(e),
      unit: this.unit(e),
      logs: this.logs(e),
      metrics: this.metrics(e),
    };
  }

  records(): StagedEvent[] {
    return Array.from({ length: this.count }, (_, e) => this.record(e));
  }
}

/** Makes a StagedEvents of up to `capacity` events, added in order. */
export class StagedEventsBuilder {
  readonly #numbers: Float64Array;
  readonly #ints: Int32Array;
  readonly #keyEnds: Int32Array;
  /** A Buffer over its own ArrayBuffer (it is transferred whole): `write` puts a key's UTF-8 in without a view per key. */
  #keyBytes: Buffer;
  #keyLength = 0;
  readonly #texts: string[] = [];
  readonly #codes = new Map<string, number>();
  #count = 0;

  constructor(readonly capacity: number) {
    this.#numbers = new Float64Array(capacity * NUMBERS);
    this.#ints = new Int32Array(capacity * INTS);
    this.#keyEnds = new Int32Array(capacity);
    this.#keyBytes = Buffer.from(new ArrayBuffer(capacity * 48));
  }

  /** The next event: its key's hashes are Bun's of the key's UTF-8 (a lone surrogate as U+FFFD). */
  add(key: string, rank: number, micros: number, seq: number, model: string, unpriced: boolean, service: string, unit: string, logs: number, metrics: number): void {
    const e = this.#count++;
    if (e >= this.capacity) throw new Error(`more than ${this.capacity} staged events`);
    const numbers = this.#numbers;
    numbers[e * NUMBERS] = rank;
    numbers[e * NUMBERS + 1] = micros;
    numbers[e * NUMBERS + 2] = seq;
    const ints = this.#ints;
    const at = e * INTS;
    ints[at] = Bun.hash.crc32(key);
    ints[at + 1] = Bun.hash.cityHash32(key);
    ints[at + 2] = Bun.hash.murmur32v3(key);
    ints[at + 3] = Bun.hash.murmur32v2(key);
    ints[at + LOGS] = logs;
    ints[at + METRICS] = metrics;
    ints[at + UNPRICED] = unpriced ? 1 : 0;
    ints[at + MODEL] = this.codeOf(model);
    ints[at + SERVICE] = this.codeOf(service);
    ints[at + UNIT] = this.codeOf(unit);
    this.addKey(key);
    this.#keyEnds[e] = this.#keyLength;
  }

  private addKey(key: string): void {
    if (this.#keyBytes.length - this.#keyLength < key.length * 3) {
      const grown = Buffer.from(new ArrayBuffer(Math.max(this.#keyBytes.length * 2, this.#keyLength + key.length * 3)));
      this.#keyBytes.copy(grown, 0, 0, this.#keyLength);
      this.#keyBytes = grown;
    }
    this.#keyLength += this.#keyBytes.write(key, this.#keyLength, "utf8");
  }

  private codeOf(text: string): number {
    let code = this.#codes.get(text);
    if (code === undefined) {
      code = this.#texts.push(text) - 1;
      this.#codes.set(text, code);
    }
    return code;
  }

  finish(): StagedEvents {
    const count = this.#count;
    return new StagedEvents(count, this.#numbers.subarray(0, count * NUMBERS), this.#ints.subarray(0, count * INTS), this.#keyBytes.subarray(0, this.#keyLength), this.#keyEnds.subarray(0, count), this.#texts);
  }
}

/** A StagedEvents of `records` (tests, and code that is not per event). */
export function stagedEventsOf(records: readonly StagedEvent[]): StagedEvents {
  const builder = new StagedEventsBuilder(records.length);
  for (const r of records) builder.add(r.key, r.rank, textMicros(r.timestamp), r.seq, r.model, r.unpriced, r.service, r.unit, r.logs, r.metrics);
  return builder.finish();
}
