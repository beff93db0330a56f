import type { EncodedChunk } from "../parquet/encode-row-group.ts";
import { workerUrl } from "../sources/worker-url.ts";
import { asBuffer, type RowGroupJob, type RowGroupReply } from "./table-protocol.ts";

/** The chunks of a reply, their byte arrays as Buffers again. */
function received(chunks: EncodedChunk[]): EncodedChunk[] {
  return chunks.map((chunk) => ({
    ...chunk,
    dictionary: chunk.dictionary && { ...chunk.dictionary, header: asBuffer(chunk.dictionary.header), body: asBuffer(chunk.dictionary.body) },
    data: { ...chunk.data, header: asBuffer(chunk.data.header), body: asBuffer(chunk.data.body) },
    minText: chunk.minText && asBuffer(chunk.minText),
    maxText: chunk.maxText && asBuffer(chunk.maxText),
  }));
}

/** At most this many table workers (each holds a row group's columns: ~10 MB, and its own heap). */
const MAX_TABLE_WORKERS = 4;
/** Fewer row groups than this are written on the writer's thread: a worker takes ~50 ms to start and compile its code. */
const MIN_ROW_GROUPS = 4;
/**
 * Fewer cores than this, and the writer's thread writes alone: the workers (each compiling the writer's code again,
 * ~0.1-0.2 s of CPU) must find cores the compiler threads and the writer's thread leave free. On two cores the 400 MB
 * usage export took 0.60-0.63 against 0.55-0.57 s with one or two workers, the 2 GB one 1.89-1.95 against 1.76 s.
 */
const MIN_CORES = 8;

/**
 * How many table workers to write `rowGroups` row groups with: up to MAX_TABLE_WORKERS, one per row group, on MIN_CORES
 * cores or more and for MIN_ROW_GROUPS or more (`cpus`: the run's threads, else the machine's cores). `setting`
 * (RunSettings.tableWorkers) sets the number and applies whatever the size (at most one per row group and per thread
 * the run may use); 0 turns them off.
 */
export function tableWorkerCount(rowGroups: number, setting: number | null, cpus: number): number {
  if (setting !== null) return Math.min(setting, cpus, Math.max(rowGroups, 1));
  if (cpus < MIN_CORES || rowGroups < MIN_ROW_GROUPS) return 0;
  return Math.min(MAX_TABLE_WORKERS, rowGroups);
}

interface Waiting {
  job: RowGroupJob;
  resolve: (chunks: EncodedChunk[]) => void;
  reject: (error: Error) => void;
}

/**
 * Worker threads that fill and encode the row groups of staged tables (table-worker.ts) while the writer's thread
 * plans them and writes what comes back, in order (StagedTableWriter.appendInWorkers). Started when made (each loads
 * in ~50 ms, while the export counts its rows), ended with `close`. `size`: 0 when the workers cannot start (the
 * caller then writes on its own thread).
 */
export class TableWorkers {
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Waiting>();
  readonly #queue: Waiting[] = [];
  #failure: Error | null = null;
  #closed = false;

  /** `url`: the worker's script (tests give one that fails); by default table-worker.ts, as built. */
  constructor(count: number, url: string | null = count > 0 ? workerUrl("staging/table-worker") : null) {
    for (let i = 0; i < count && url !== null; i++) {
      try {
        const worker = new Worker(url);
        worker.unref();
        worker.addEventListener("message", (event: MessageEvent<RowGroupReply>) => this.#done(worker, event.data));
        worker.addEventListener("error", (event) => this.#fail(new Error(`a Parquet table worker failed: ${(event as ErrorEvent).message ?? event.type}`)));
        worker.addEventListener("close", () => this.#fail(new Error("a Parquet table worker exited")));
        this.#idle.push(worker);
      } catch {
        break;
      }
    }
  }

  /** Whether a worker is gone (it failed to load, or died): the row groups it had, and all later ones, fail. */
  get failed(): boolean {
    return this.#failure !== null;
  }

  /** How many workers there are. */
  get size(): number {
    return this.#idle.length + this.#busy.size;
  }

  /** Fills and encodes one row group on the next free worker. */
  encode(job: RowGroupJob): Promise<EncodedChunk[]> {
    if (this.#closed) return Promise.reject(new Error("the Parquet table workers are closed"));
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const worker = this.#idle.pop() as Worker;
      const waiting = this.#queue.shift() as Waiting;
      this.#busy.set(worker, waiting);
      worker.ref();
      worker.postMessage(waiting.job satisfies RowGroupJob);
    }
  }

  #done(worker: Worker, reply: RowGroupReply): void {
    const waiting = this.#busy.get(worker);
    this.#busy.delete(worker);
    worker.unref();
    this.#idle.push(worker);
    if ("error" in reply) waiting?.reject(new Error(`writing a row group failed: ${reply.error}`));
    else waiting?.resolve(received(reply.chunks));
    this.#next();
  }

  /** A worker is gone: every row group not yet back fails (the writer then removes its file), and so do later ones. */
  #fail(error: Error): void {
    if (this.#closed) return;
    this.#failure ??= error;
    this.#rejectAll(error);
  }

  /** Ends the workers (their heaps go with them). */
  close(): void {
    this.#closed = true;
    for (const worker of [...this.#idle.splice(0), ...this.#busy.keys()]) worker.terminate();
    this.#rejectAll(new Error("the Parquet table workers were closed"));
  }

  /** Every row group out or waiting fails with `error`. */
  #rejectAll(error: Error): void {
    const waiting = [...this.#busy.values(), ...this.#queue.splice(0)];
    this.#busy.clear();
    for (const { reject } of waiting) reject(error);
  }
}
