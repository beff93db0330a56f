import { homeFolder } from "../shared/home.ts";
import type { ToolId } from "../shared/sources.ts";
import type { FileSummary, StagedFile } from "./staged-file.ts";
import type { StagedRows } from "./staged-rows.ts";
import { StagedEvents } from "./staged-events.ts";
import { newThreadMemory, type ThreadMemory } from "./thread-memory.ts";
import { type ParsedOn, stageOne, type StageOutcome } from "./parse-one.ts";
import type { ParseReply, ParseRequest, RecycleRequest } from "./parse-worker.ts";
import { sourceFor } from "../sources/registry.ts";
import { LinePrefetch, startScanWorker } from "./line-prefetch.ts";
import { keepHotPathsOffTopTier, yieldCompilerThreads } from "./hot-paths.ts";
import type { LineSource } from "../sources/shared/jsonl.ts";
import { workerUrl } from "../sources/worker-url.ts";
import { splitPathList } from "../sources/shared/env-paths.ts";
import type { DiscoveredFile, FileFailure, SessionSource } from "../sources/types.ts";
import type { RunSettings } from "../shared/run-settings.ts";

export interface DiscoveredTool {
  tool: ToolId;
  source: SessionSource;
  roots: string[];
  files: DiscoveredFile[];
  /** Folders and files that could not be read while looking for the files, and configured folders that are missing. */
  failed: FileFailure[];
}

export async function discoverTools(tools: readonly ToolId[], env: Record<string, string | undefined> = process.env, home = homeFolder(env)): Promise<DiscoveredTool[]> {
  const found: DiscoveredTool[] = [];
  for (const tool of tools) {
    const source = sourceFor(tool);
    const roots = source.roots(env, home);
    const required = splitPathList(env[source.pathVariable]).length > 0 ? source.pathVariable : undefined;
    const { files, failed } = await source.discover(roots, required);
    found.push({ tool, source, roots, files, failed });
  }
  return found;
}

export type { FileFailure };

/** The bytes of `files` on disk. */
function filesBytes(files: readonly DiscoveredFile[]): number {
  return files.reduce((sum, file) => sum + file.size, 0);
}

/** The bytes of every file found. */
export function foundBytes(found: readonly DiscoveredTool[]): number {
  return found.reduce((sum, tool) => sum + filesBytes(tool.files), 0);
}

export interface ParseProgress {
  /**
   * The files are found and none is read yet: how many bytes of them the run will parse (an import: of those it must
   * read again). The last moment at which the process can start over without undoing anything (src/shared/allocator-restart.ts).
   */
  onFilesFound?(bytes: number): void;
  /** Before a tool's files are read: how many, and their size on disk. */
  onReadStart?(tool: ToolId, files: number, bytes: number): void;
  /** After each file, in the files' order (also when they are parsed in parallel). */
  onFileParsed?(tool: ToolId, file: FileSummary, ms: number, on: ParsedOn): void;
  onReadDone?(tool: ToolId): void;
  /** The files are read once more, for `reason` (an export whose early-written rows must be taken back: LogStream). */
  onReadAgain?(reason: string): void;
}

export interface StageOptions {
  progress?: ParseProgress;
  /** Rejects with the signal's reason when it aborts. */
  signal?: AbortSignal;
  /** Compute each file's SHA-256 (default true; only import records it). */
  hash?: boolean;
  /** Collect each file's `goFootprint` (see ParseContext.footprints). */
  footprints?: boolean;
  /** Make the transcript rows too (see ParseContext.transcripts). */
  transcripts?: boolean;
  /** Stage apart the log rows that may be written as the files come (see `stageFile`): `onStaged` takes them. */
  streamLogs?: boolean;
}

/** Below this much, starting the line prefetch's worker costs more than it saves. */
const MIN_PREFETCH_BYTES = 32 << 20;

/**
 * Whether a parse here takes its lines from a `LinePrefetch`: for sources with a line selector, two files or
 * more and enough bytes. `setting` (RunSettings.linePrefetch): false turns it off, true on whatever the size.
 */
export function usesLinePrefetch(source: SessionSource, files: number, bytes: number, setting: boolean | null = null): boolean {
  if (setting === false || !source.lineSelector || files < 2) return false;
  return setting === true || bytes >= MIN_PREFETCH_BYTES;
}

/**
 * Whether the parse of one of these tools may take its lines from a `LinePrefetch`: a source with a line
 * selector, parsed here (see parseWorkerCount) at a size the prefetch is used for.
 */
export function prefetchMayBeUsed(tools: readonly ToolId[], everyByte: boolean, settings: Pick<RunSettings, "parseWorkers" | "linePrefetch">, cpus = navigator.hardwareConcurrency || 1): boolean {
  if (parseWorkerCount(2, MIN_PREFETCH_BYTES, everyByte, settings.parseWorkers, cpus) > 0) return false;
  return tools.some((tool) => usesLinePrefetch(sourceFor(tool), 2, MIN_PREFETCH_BYTES, settings.linePrefetch));
}

interface PoolJob {
  source: SessionSource;
  files: readonly DiscoveredFile[];
  firstOrdinal: number;
  hash: boolean;
  footprints: boolean;
  transcripts: boolean;
  streamLogs: boolean;
  signal: AbortSignal | undefined;
  /** Called in the files' order; the next files wait for what it returns. */
  collect(index: number, outcome: StageOutcome): Promise<void> | undefined;
  /** The memory of staged fragments no longer held, for a worker to fill again. */
  released(): ArrayBuffer[];
  /** Lines selected ahead of the parse here, if any. */
  lines: LineSource | null;
  /** This thread's memory, for files parsed here. */
  memory: ThreadMemory;
}

function stageHere(job: PoolJob, index: number): Promise<StageOutcome> {
  const context = { signal: job.signal, hash: job.hash, footprints: job.footprints, transcripts: job.transcripts, ...(job.lines ? { lines: job.lines } : {}) };
  return stageOne(job.source, job.files[index] as DiscoveredFile, job.firstOrdinal + index, job.memory, context, job.streamLogs);
}

// ---------------------------------------------------------------- the worker pool

/**
 * Below this much (or with fewer than 2 files), starting workers costs more than it saves. Each worker
 * compiles the parser afresh (JavaScriptCore's optimising JITs, ~0.15 s of CPU per thread), and on two
 * cores that work competes with the parse itself, while parsing here leaves the JIT the second core: on the
 * 2-core benchmark machine, 400 MB took 0.47 s here against 0.57 s on two workers, 800 MB the same either
 * way, 1.2 GB 1.27 against 1.17 s, 2 GB 1.85 against 1.61 s. Hashing every byte (import) doubles the work
 * per byte, and there two workers were faster at 400 MB already (1.4 against 1.5–2.1 s); the transcripts decode
 * and parse every line, ten times the work per byte, and there two workers took 4.0 s against 5.2–6.7 s. With
 * more cores (not measured here) the workers' compiling runs beside the parse, so they pay off much sooner.
 */
const MIN_PARALLEL_BYTES_TWO_CORES = 768 << 20;
const MIN_PARALLEL_BYTES = 8 << 20;
const MAX_WORKERS = 4;
/**
 * Workers for a parse that leaves much garbage (transcripts: every line decoded; `SessionSource.heavyParse`): each
 * heap holds ~100 MB between collections. With --threads 16 on two cores, 400 MB of Claude sessions with
 * transcripts peaked at 778 MB on 4 workers, 540 MB on 3, 443 MB on 2; 250 MB of Gemini sessions 595, 506 and
 * 428 MB (and ran faster on 2 workers than on 4 or none).
 */
const MAX_HEAVY_WORKERS = 2;
/**
 * How many worker threads to parse with; 0: in this thread. One per CPU, at most `maxWorkers` (MAX_WORKERS, or
 * MAX_HEAVY_WORKERS for a heavy parse); none for small inputs (see MIN_PARALLEL_BYTES_TWO_CORES; `everyByte`: every
 * byte is worked on, hashed or decoded for the transcripts) or a single CPU. `setting` (RunSettings.parseWorkers)
 * sets the maximum and applies whatever the size (tests); 0 turns workers off.
 */
export function parseWorkerCount(files: number, bytes: number, everyByte: boolean, setting: number | null = null, cpus = navigator.hardwareConcurrency || 1, maxWorkers = MAX_WORKERS): number {
  const max = setting ?? maxWorkers;
  const minBytes = cpus <= 2 && !everyByte ? MIN_PARALLEL_BYTES_TWO_CORES : MIN_PARALLEL_BYTES;
  if (max === 0 || files < 2 || (setting === null && bytes < minBytes)) return 0;
  const count = Math.min(max, cpus, files);
  return count >= 2 || setting !== null ? count : 0;
}

/** The parse workers of a run: started when needed, kept idle between tools, ended with the run. */
class WorkerPool {
  readonly #idle: Worker[] = [];
  #url: string | null | undefined;
  /** Set when a worker could not start (e.g. a compiled executable built without the worker entry point). */
  unavailable = false;

  take(): Worker {
    this.#url ??= workerUrl("staging/parse-worker");
    if (this.#url === null) throw new Error("the parse worker is not part of this build");
    const worker = this.#idle.pop() ?? new Worker(this.#url);
    worker.ref();
    return worker;
  }

  /** Kept for the next tool, unref'd: an idle worker never keeps the process alive. */
  release(worker: Worker): void {
    worker.unref();
    this.#idle.push(worker);
  }

  /**
   * Ends the idle workers beyond the `count` the next tool takes: each keeps its heap while idle (`export all
   * --no-transcripts --threads 16` of 2 GB of Claude and 1 GB of Gemini sessions: the Claude parse's idle workers
   * beside the Gemini parse's two).
   */
  keep(count: number): void {
    for (const worker of this.#idle.splice(count)) worker.terminate();
  }

  /** Ends the idle workers; settles once they are gone (a worker's heap is torn down on its own thread, a few tens of ms). */
  end(): Promise<void> {
    const ending = this.#idle.splice(0).map((worker) => {
      const closed = new Promise<void>((resolve) => worker.addEventListener("close", () => resolve(), { once: true }));
      worker.terminate();
      return closed;
    });
    return Promise.all(ending).then(() => undefined);
  }
}

/**
 * One run's parsing: it owns the parse workers, the line prefetch's worker and this thread's parse memory, and the
 * settings they follow (read at the command). `await using` ends its workers when the run is done.
 */
export class ParseRun implements AsyncDisposable {
  readonly #pool = new WorkerPool();
  readonly #memory: ThreadMemory = newThreadMemory(false);
  /** A scan worker started ahead (`warmUp`), for the next parse here that prefetches. */
  #warmScan: Worker | null = null;

  constructor(readonly settings: RunSettings) {
    keepHotPathsOffTopTier();
  }

  /**
   * Starts the line prefetch's worker now when a parse of these tools may use it (it loads while the files are found);
   * the parse here and the prefetch then come before the compiler threads (`yieldCompilerThreads`).
   */
  warmUp(tools: readonly ToolId[], everyByte: boolean): void {
    if (this.settings.threads === 1 || this.#warmScan !== null) return;
    if (!prefetchMayBeUsed(tools, everyByte, this.settings, this.settings.threads ?? undefined)) return;
    this.#warmScan = startScanWorker();
    yieldCompilerThreads();
  }

  /**
   * Parses the files, in parallel on worker threads when there are enough of them (see `parseWorkerCount`), writes
   * their rows to `rows` and hands each file's staged result to `onStaged`, in the files' order whichever way they
   * were parsed. Nothing is kept: memory stays a few files' worth. Resolves to the files that could not be read at
   * all (vanished, no permission), in order; the others go on.
   */
  async stage(source: SessionSource, files: readonly DiscoveredFile[], rows: StagedRows, onStaged: (staged: StagedFile) => Promise<void> | undefined, options: StageOptions = {}): Promise<FileFailure[]> {
    const { progress = {}, signal } = options;
    const hash = options.hash ?? true;
    const failed: FileFailure[] = [];
    const firstOrdinal = rows.reserveOrdinals(files.length);
    const bytes = filesBytes(files);
    progress.onReadStart?.(source.tool, files.length, bytes);
    const threads = this.settings.threads;
    const transcripts = options.transcripts === true;
    const heavy = transcripts || source.heavyParse === true;
    const workers =
      threads === 1 || this.#pool.unavailable ? 0 : parseWorkerCount(files.length, bytes, hash || transcripts, this.settings.parseWorkers, threads ?? undefined, heavy ? MAX_HEAVY_WORKERS : MAX_WORKERS);
    let prefetch: LinePrefetch | null = null;
    const collect = (index: number, outcome: StageOutcome): Promise<void> | undefined => {
      const file = files[index] as DiscoveredFile;
      if ("failure" in outcome) {
        failed.push({ path: file.path, reason: outcome.failure });
        return;
      }
      rows.add(outcome.staged);
      if (workers === 0) this.#memory.fragments.give(rows.takeReleased());
      progress.onFileParsed?.(source.tool, outcome.staged.file, outcome.ms, outcome.on ?? (prefetch?.served(file.path) ? "prefetch" : "here"));
      return onStaged(outcome.staged);
    };
    const released = () => rows.takeReleased();
    const job: PoolJob = { source, files, firstOrdinal, hash, footprints: options.footprints === true, transcripts, streamLogs: options.streamLogs === true, signal, collect, released, lines: null, memory: this.#memory };
    if (workers > 0) {
      await stageInWorkers(job, workers, this.#pool);
    } else {
      prefetch = this.#prefetch(source, files, bytes, hash, transcripts);
      try {
        for (let index = 0; index < files.length; index++) await collect(index, await stageHere({ ...job, lines: prefetch }, index));
      } finally {
        prefetch?.close();
      }
    }
    progress.onReadDone?.(source.tool);
    return failed;
  }

  /** The line prefetch for a parse here, on the warmed scan worker or a new one; null when not used or not available. */
  #prefetch(source: SessionSource, files: readonly DiscoveredFile[], bytes: number, hash: boolean, transcripts: boolean): LinePrefetch | null {
    if (this.settings.threads === 1 || !usesLinePrefetch(source, files.length, bytes, this.settings.linePrefetch)) return null;
    const worker = this.#warmScan ?? startScanWorker();
    this.#warmScan = null;
    // Forced (`AI_OBSERVER_LINE_PREFETCH=1`): every file from the worker, also those the parse could have read first.
    return worker === null ? null : LinePrefetch.start(worker, source.tool, files, hash, transcripts, this.settings.linePrefetch !== true);
  }

  /** Ends the idle parse workers and the unused scan worker, giving back their memory (each has its own heap). */
  endWorkers(): Promise<void> {
    this.#warmScan?.terminate();
    this.#warmScan = null;
    return this.#pool.end();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.endWorkers();
  }
}

/** One request to one worker; rejects when the worker fails (it could not load, or it died). */
function request(worker: Worker, message: ParseRequest): Promise<ParseReply> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.removeEventListener("message", onMessage);
      worker.removeEventListener("error", onError);
      worker.removeEventListener("close", onClose);
    };
    const onMessage = (event: MessageEvent<ParseReply>) => {
      if (event.data.id !== message.id) return; // the reply to another request in flight on this worker
      cleanup();
      resolve(event.data);
    };
    const onError = (event: Event) => {
      cleanup();
      reject(new Error(`parse worker failed: ${(event as ErrorEvent).message ?? event.type}`));
    };
    const onClose = () => {
      cleanup();
      reject(new Error("parse worker exited"));
    };
    worker.addEventListener("message", onMessage);
    worker.addEventListener("error", onError);
    worker.addEventListener("close", onClose);
    worker.postMessage(message);
  });
}

async function stageInWorkers(job: PoolJob, count: number, pool: WorkerPool): Promise<void> {
  const { files, signal } = job;
  signal?.throwIfAborted();
  const outcomes = new Array<StageOutcome | undefined>(files.length);
  const retry: number[] = [];
  let nextToSend = 0;
  let nextToCollect = 0;
  const take = (): number | null => retry.shift() ?? (nextToSend < files.length ? nextToSend++ : null);
  /** Collects the outcomes now in order; resolves once what the collecting started is done. */
  const deliver = (index: number, outcome: StageOutcome): Promise<void> | undefined => {
    outcomes[index] = outcome;
    let pending: Promise<void> | undefined;
    for (let ready = outcomes[nextToCollect]; ready !== undefined; ready = outcomes[nextToCollect]) {
      outcomes[nextToCollect] = undefined; // collected: keep no second reference
      pending = job.collect(nextToCollect, ready) ?? pending;
      nextToCollect++;
    }
    return pending;
  };

  const active = new Set<Worker>();
  let aborted = false;

  /** One of a worker's two request slots: with two files in flight, a worker never waits while this thread works. */
  const slot = async (worker: Worker): Promise<void> => {
    for (let index = take(); index !== null && !aborted && active.has(worker); index = take()) {
      let reply: ParseReply;
      try {
        const message: ParseRequest = { id: index, tool: job.source.tool, file: files[index] as DiscoveredFile, ordinal: job.firstOrdinal + index, hash: job.hash, footprints: job.footprints, transcripts: job.transcripts, streamLogs: job.streamLogs };
        reply = await request(worker, message);
      } catch {
        // The worker is gone: its file is parsed by another worker or, at the end, here.
        retry.push(index);
        if (active.delete(worker)) worker.terminate();
        if (!aborted && nextToCollect === 0 && active.size === 0) pool.unavailable = true;
        return;
      }
      if ("crashed" in reply) {
        retry.push(index);
        continue;
      }
      if (aborted) return;
      // The worker's next file waits for what this one's rows started (the stream's writing: bounded memory).
      await deliver(index, "failure" in reply ? { failure: reply.failure } : { staged: { ...reply.staged, events: StagedEvents.revive(reply.staged.events) }, ms: reply.ms, on: "worker" });
      const memory = job.released();
      if (memory.length > 0) worker.postMessage({ recycle: memory } satisfies RecycleRequest, memory);
    }
  };
  const run = async (worker: Worker): Promise<void> => {
    active.add(worker);
    await Promise.all([slot(worker), slot(worker)]);
    if (!aborted && active.delete(worker)) pool.release(worker);
  };

  let onAbort: (() => void) | undefined;
  const abortion = new Promise<never>((_, reject) => {
    onAbort = () => {
      aborted = true;
      for (const worker of active) worker.terminate();
      active.clear();
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  abortion.catch(() => {}); // observed through the race below, or not at all when the abort comes later
  try {
    const runs: Promise<void>[] = [];
    try {
      pool.keep(count);
      for (let i = 0; i < count; i++) runs.push(run(pool.take()));
    } catch {
      pool.unavailable = true; // Worker itself is missing or refused: the files are parsed here
    }
    await Promise.race([Promise.all(runs), abortion]);
    // Whatever no worker could do (workers unavailable, a crash) is parsed here, in order.
    for (let index = take(); index !== null; index = take()) await deliver(index, await stageHere(job, index));
  } catch (error) {
    // A file's result could not be taken (e.g. the disk is full): stop the others.
    aborted = true;
    for (const worker of active) worker.terminate();
    active.clear();
    throw error;
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}
