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

/** ChosenRows over event records (an import's planned events). */
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

const INITIAL_ROWS = 1 << 12;

function grown<T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(array: T, size: number): T {
  if (size <= array.length) return array;
  const next = new (array.constructor as new (length: number) => T)(Math.max(size, array.length * 2));
  next.set(array);
  return next;
}

/**
 * The chosen copy of every event of a run, by key (the one rule of which copy wins: `outranksCopy`, merge.ts), kept in
 * columns: a key and a map entry per event, and numbers. An object per event took ~450 bytes of heap each (613,703
 * events of 1 GB of Gemini sessions: 278 MB), these columns ~190 (docs/performance.md, "Session 9").
 */
export class ChosenEvents implements ChosenRows {
  readonly #rows = new Map<string, number>();
  readonly #keys: string[] = [];
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
  readonly #texts: string[] = [];
  readonly #codes = new Map<string, number>();

  get size(): number {
    return this.#keys.length;
  }

  /** Offers a copy of an event; true when it is now its key's chosen copy. */
  offer(event: StagedEvent): boolean {
    const micros = textMicros(event.timestamp);
    const row = this.#rows.get(event.key);
    if (row !== undefined) {
      if (!outranksCopy(event.rank, micros, this.#rank[row] as number, this.#micros[row] as number)) return false;
      this.#set(row, event, micros);
      return true;
    }
    const added = this.#keys.length;
    this.#grow(added + 1);
    this.#keys.push(event.key);
    this.#rows.set(event.key, added);
    this.#set(added, event, micros);
    return true;
  }

  key(i: number): string {
    return this.#keys[i] as string;
  }

  timestamp(i: number): string {
    return formatMicros(this.#micros[i] as number);
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

  /** The models of the chosen events that had tokens but no price, sorted. */
  unpricedModels(): string[] {
    const models = new Set<string>();
    for (let i = 0; i < this.size; i++) if (this.#unpriced[i] === 1) models.add(this.#texts[this.#model[i] as number] as string);
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
  }
}
