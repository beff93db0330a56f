import { homeFolder } from "../home.ts";
import type { ToolId } from "../sources.ts";
import type { FileSummary, StagedFile } from "./staged-file.ts";
import { fragmentMemory } from "./fragment-memory.ts";
import type { StagedRows } from "./staged-rows.ts";
import { type ParsedOn, stageOne, type StageOutcome } from "./parse-one.ts";
import type { ParseReply, ParseRequest, RecycleRequest } from "./parse-worker.ts";
import { sourceFor } from "../sources/registry.ts";
import { LinePrefetch, warmLinePrefetch } from "../sources/line-prefetch.ts";
import type { LineSource } from "../sources/shared/jsonl.ts";
import { workerUrl } from "../sources/worker-url.ts";
import { splitPathList } from "../sources/shared/env-paths.ts";
import type { DiscoveredFile, FileFailure, SessionSource } from "../sources/types.ts";

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

export interface ParseProgress {
  /** Before a tool's files are read: how many, and their size on disk. */
  onReadStart?(tool: ToolId, files: number, bytes: number): void;
  /** After each file, in the files' order (also when they are parsed in parallel). */
  onFileParsed?(tool: ToolId, file: FileSummary, ms: number, on: ParsedOn): void;
  onReadDone?(tool: ToolId): void;
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
  /** Threads to use at most (threads.ts): bounds the parse workers; 1: no worker thread at all. Null: every core. */
  threads?: number | null;
}

/**
 * Parses the files, in parallel on worker threads when there are enough of them (see `parseWorkerCount`), writes
 * their rows to `rows` and hands each file's staged result to `onStaged`, in the files' order whichever way they
 * were parsed. Nothing is kept: memory stays a few files' worth. Resolves to the files that could not be read at
 * all (vanished, no permission), in order; the others go on.
 */
export async function stageFiles(
  source: SessionSource,
  files: readonly DiscoveredFile[],
  rows: StagedRows,
  onStaged: (staged: StagedFile) => void,
  options: StageOptions = {},
): Promise<FileFailure[]> {
  const { progress = {}, signal } = options;
  const hash = options.hash ?? true;
  const failed: FileFailure[] = [];
  const firstOrdinal = rows.reserveOrdinals(files.length);
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  progress.onReadStart?.(source.tool, files.length, bytes);
  const collect = (index: number, outcome: StageOutcome) => {
    const file = files[index] as DiscoveredFile;
    if ("failure" in outcome) {
      failed.push({ path: file.path, reason: outcome.failure });
      return;
    }
    rows.add(outcome.staged);
    if (workers === 0) fragmentMemory.give(rows.takeReleased());
    progress.onFileParsed?.(source.tool, outcome.staged.file, outcome.ms, outcome.on ?? (prefetch?.served(file.path) ? "prefetch" : "here"));
    onStaged(outcome.staged);
  };
  const transcripts = options.transcripts === true;
  const threads = options.threads ?? null;
  const heavy = transcripts || source.heavyParse === true;
  const workers = threads === 1 ? 0 : parseWorkerCount(files.length, bytes, hash || transcripts, process.env, threads ?? undefined, heavy ? MAX_HEAVY_WORKERS : MAX_WORKERS);
  const released = () => rows.takeReleased();
  const job: PoolJob = { source, files, firstOrdinal, hash, footprints: options.footprints === true, transcripts, signal, collect, released, lines: null };
  let prefetch: LinePrefetch | null = null;
  if (workers > 0) {
    await stageInWorkers(job, workers);
  } else {
    prefetch = threads !== 1 && usesLinePrefetch(source, files.length, bytes) ? LinePrefetch.start(source.tool, files, hash, transcripts) : null;
    try {
      for (let index = 0; index < files.length; index++) collect(index, await stageHere({ ...job, lines: prefetch }, index));
    } finally {
      prefetch?.close();
    }
  }
  progress.onReadDone?.(source.tool);
  return failed;
}

/** Below this much, starting the line prefetch's worker costs more than it saves. */
const MIN_PREFETCH_BYTES = 32 << 20;

/**
 * Whether a parse here takes its lines from a `LinePrefetch`: for sources with a line selector, two files or
 * more and enough bytes. `AI_OBSERVER_LINE_PREFETCH=0` turns it off, `1` on whatever the size (tests).
 */
export function usesLinePrefetch(source: SessionSource, files: number, bytes: number, env: Record<string, string | undefined> = process.env): boolean {
  const setting = env["AI_OBSERVER_LINE_PREFETCH"]?.trim();
  if (setting === "0" || !source.lineSelector || files < 2) return false;
  return setting === "1" || bytes >= MIN_PREFETCH_BYTES;
}

/**
 * Whether the parse of one of these tools may take its lines from a `LinePrefetch`: a source with a line
 * selector, parsed here (see parseWorkerCount) at a size the prefetch is used for.
 */
export function prefetchMayBeUsed(
  tools: readonly ToolId[],
  everyByte: boolean,
  env: Record<string, string | undefined> = process.env,
  cpus = navigator.hardwareConcurrency || 1,
): boolean {
  if (parseWorkerCount(2, MIN_PREFETCH_BYTES, everyByte, env, cpus) > 0) return false;
  return tools.some((tool) => usesLinePrefetch(sourceFor(tool), 2, MIN_PREFETCH_BYTES, env));
}

/** Starts the line prefetch's worker ahead of `stageFiles` (it loads while the files are found) when it may be used; `endWarmLinePrefetch` ends it if no parse took it. */
export function warmUpPrefetch(tools: readonly ToolId[], everyByte: boolean, threads: number | null = null): void {
  if (threads !== 1 && prefetchMayBeUsed(tools, everyByte, process.env, threads ?? undefined)) warmLinePrefetch();
}

export { endWarmLinePrefetch } from "../sources/line-prefetch.ts";

interface PoolJob {
  source: SessionSource;
  files: readonly DiscoveredFile[];
  firstOrdinal: number;
  hash: boolean;
  footprints: boolean;
  transcripts: boolean;
  signal: AbortSignal | undefined;
  /** Called in the files' order. */
  collect(index: number, outcome: StageOutcome): void;
  /** The memory of staged fragments no longer held, for a worker to fill again. */
  released(): ArrayBuffer[];
  /** Lines selected ahead of the parse here, if any. */
  lines: LineSource | null;
}

function stageHere(job: PoolJob, index: number): Promise<StageOutcome> {
  const context = { signal: job.signal, hash: job.hash, footprints: job.footprints, transcripts: job.transcripts, ...(job.lines ? { lines: job.lines } : {}) };
  return stageOne(job.source, job.files[index] as DiscoveredFile, job.firstOrdinal + index, context);
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
/** Set when a worker could not start (e.g. a compiled executable built without the worker entry point). */
let workersUnavailable = false;

/**
 * How many worker threads to parse with; 0: in this thread. One per CPU, at most `maxWorkers` (MAX_WORKERS, or
 * MAX_HEAVY_WORKERS for a heavy parse); none for small inputs (see MIN_PARALLEL_BYTES_TWO_CORES; `everyByte`: every
 * byte is worked on, hashed or decoded for the transcripts) or a single CPU. `AI_OBSERVER_PARSE_WORKERS=<n>` sets the maximum and applies whatever the size (tests); `0` turns
 * workers off.
 */
export function parseWorkerCount(
  files: number,
  bytes: number,
  everyByte: boolean,
  env: Record<string, string | undefined> = process.env,
  cpus = navigator.hardwareConcurrency || 1,
  maxWorkers = MAX_WORKERS,
): number {
  let max = maxWorkers;
  const setting = env["AI_OBSERVER_PARSE_WORKERS"]?.trim();
  if (setting) {
    const value = Number(setting);
    if (Number.isInteger(value) && value >= 0) max = value;
  }
  const minBytes = cpus <= 2 && !everyByte ? MIN_PARALLEL_BYTES_TWO_CORES : MIN_PARALLEL_BYTES;
  if (workersUnavailable || max === 0 || files < 2 || (!setting && bytes < minBytes)) return 0;
  const count = Math.min(max, cpus, files);
  return count >= 2 || setting ? count : 0;
}

let cachedWorkerUrl: string | null | undefined;

/** Idle workers, kept for the next tool (unref'd: they never keep the process alive). */
const idle: Worker[] = [];

function takeWorker(): Worker {
  cachedWorkerUrl ??= workerUrl("staging/parse-worker");
  if (cachedWorkerUrl === null) throw new Error("the parse worker is not part of this build");
  const worker = idle.pop() ?? new Worker(cachedWorkerUrl);
  worker.ref();
  return worker;
}

function releaseWorker(worker: Worker): void {
  worker.unref();
  idle.push(worker);
}

/**
 * Ends the idle parse workers, giving back their memory (each has its own heap); the promise settles once they are
 * gone (a worker's heap is torn down on its own thread, which takes a few tens of ms).
 */
export function endParseWorkers(): Promise<void> {
  const ending = idle.splice(0).map((worker) => {
    const closed = new Promise<void>((resolve) => worker.addEventListener("close", () => resolve(), { once: true }));
    worker.terminate();
    return closed;
  });
  return Promise.all(ending).then(() => undefined);
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

async function stageInWorkers(job: PoolJob, count: number): Promise<void> {
  const { files, signal } = job;
  signal?.throwIfAborted();
  const outcomes = new Array<StageOutcome | undefined>(files.length);
  const retry: number[] = [];
  let nextToSend = 0;
  let nextToCollect = 0;
  const take = (): number | null => retry.shift() ?? (nextToSend < files.length ? nextToSend++ : null);
  const deliver = (index: number, outcome: StageOutcome) => {
    outcomes[index] = outcome;
    for (let ready = outcomes[nextToCollect]; ready !== undefined; ready = outcomes[nextToCollect]) {
      outcomes[nextToCollect] = undefined; // collected: keep no second reference
      job.collect(nextToCollect, ready);
      nextToCollect++;
    }
  };

  const active = new Set<Worker>();
  let aborted = false;

  /** One of a worker's two request slots: with two files in flight, a worker never waits while this thread works. */
  const slot = async (worker: Worker): Promise<void> => {
    for (let index = take(); index !== null && !aborted && active.has(worker); index = take()) {
      let reply: ParseReply;
      try {
        const message: ParseRequest = { id: index, tool: job.source.tool, file: files[index] as DiscoveredFile, ordinal: job.firstOrdinal + index, hash: job.hash, footprints: job.footprints, transcripts: job.transcripts };
        reply = await request(worker, message);
      } catch {
        // The worker is gone: its file is parsed by another worker or, at the end, here.
        retry.push(index);
        if (active.delete(worker)) worker.terminate();
        if (!aborted && nextToCollect === 0 && active.size === 0) workersUnavailable = true;
        return;
      }
      if ("crashed" in reply) {
        retry.push(index);
        continue;
      }
      if (aborted) return;
      deliver(index, "failure" in reply ? { failure: reply.failure } : { staged: reply.staged, ms: reply.ms, on: "worker" });
      const memory = job.released();
      if (memory.length > 0) worker.postMessage({ recycle: memory } satisfies RecycleRequest, memory);
    }
  };
  const run = async (worker: Worker): Promise<void> => {
    active.add(worker);
    await Promise.all([slot(worker), slot(worker)]);
    if (!aborted && active.delete(worker)) releaseWorker(worker);
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
      for (let i = 0; i < count; i++) runs.push(run(takeWorker()));
    } catch {
      workersUnavailable = true; // Worker itself is missing or refused: the files are parsed here
    }
    await Promise.race([Promise.all(runs), abortion]);
    // Whatever no worker could do (workers unavailable, a crash) is parsed here, in order.
    for (let index = take(); index !== null; index = take()) deliver(index, await stageHere(job, index));
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
