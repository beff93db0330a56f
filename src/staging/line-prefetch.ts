import type { ToolId } from "../shared/sources.ts";
import type { LineSource, SelectedLines } from "../sources/shared/jsonl.ts";
import { Claim, type ScanRecycle, type ScanReply, type ScanRequest } from "./scan-protocol.ts";
import type { DiscoveredFile } from "../sources/types.ts";
import { workerUrl } from "../sources/worker-url.ts";

/** Files larger than this are read where they are parsed (a prefetched file's selected lines are held whole). */
const MAX_FILE_BYTES = 64 << 20;
/**
 * How far ahead of the parse the worker may be, in file bytes (at least one file). Each file ahead holds a buffer of
 * its selected lines, fresh memory until the parse gives buffers back: 96 MB ahead made 99 of the 231 buffers of 400
 * MB of Claude sessions fresh, 16 MB 26 (3,200 fewer page faults; 0.675 against 0.705 s, medians of 10). The worker
 * selects faster than the parse takes: it stays ahead.
 */
const AHEAD_BYTES = 16 << 20;

/**
 * A new scan worker (unref'd until a prefetch takes it); null when it cannot be started (the files are then read
 * where they are parsed). It takes ~50 ms to load: started ahead (`ParseRun.warmUp`), that passes while the caller
 * finds the files.
 */
export function startScanWorker(): Worker | null {
  const url = workerUrl("staging/scan-worker");
  if (url === null) return null;
  try {
    const worker = new Worker(url);
    worker.unref();
    return worker;
  } catch {
    return null;
  }
}

/**
 * Selects the lines of a tool's JSONL files on a worker thread, in order and a few files ahead of the parse, which
 * then takes each file's selected lines (`LineSource`) instead of reading it: the reading and the byte search run
 * on another core, and the worker's code is small, so it costs the second core little compiling (unlike a parse
 * worker, see parseWorkerCount). A file the worker could not do is read where it is parsed.
 */
export class LinePrefetch implements LineSource {
  readonly #worker: Worker;
  readonly #pending = new Map<string, { id: number; size: number; selected: Promise<SelectedLines | null> }>();
  /** Who does each file (Claim), shared with the worker. */
  readonly #claims: Int32Array;
  readonly #replies = new Map<number, (reply: ScanReply | null) => void>();
  readonly #served = new Set<string>();
  #next = 0;
  #aheadBytes = 0;
  #failed = false;

  private constructor(
    worker: Worker,
    readonly tool: ToolId,
    readonly files: readonly DiscoveredFile[],
    readonly hash: boolean,
    readonly transcripts: boolean,
    /** Whether the parse reads a file the worker has not begun (see `take`); false: it waits for the worker. */
    readonly parseClaims: boolean,
  ) {
    this.#worker = worker;
    this.#claims = new Int32Array(new SharedArrayBuffer(Math.max(1, files.length) * Int32Array.BYTES_PER_ELEMENT));
    worker.addEventListener("message", (event: MessageEvent<ScanReply>) => this.#settle(event.data.id, event.data));
    const fail = () => {
      this.#failed = true;
      for (const id of [...this.#replies.keys()]) this.#settle(id, null);
    };
    worker.addEventListener("error", fail);
    worker.addEventListener("close", fail);
    this.#fill();
  }

  /**
   * The prefetch of `files` on `worker` (see startScanWorker), which it ends when closed. `parseClaims` false: every file
   * from the worker, however long the parse waits (`AI_OBSERVER_LINE_PREFETCH=1`, which tests use to run the worker).
   */
  static start(worker: Worker, tool: ToolId, files: readonly DiscoveredFile[], hash: boolean, transcripts: boolean, parseClaims = true): LinePrefetch {
    worker.ref();
    return new LinePrefetch(worker, tool, files, hash, transcripts, parseClaims);
  }

  take(path: string): Promise<SelectedLines | null> | null {
    const pending = this.#pending.get(path);
    if (!pending) return null;
    this.#pending.delete(path);
    this.#aheadBytes -= pending.size;
    this.#fill();
    // A file the worker has not begun (it is still loading, ~50 ms, or busy with the files before) is read here
    // rather than waited for: the worker then skips it.
    if (this.parseClaims && Atomics.compareExchange(this.#claims, pending.id, Claim.Unclaimed, Claim.Parse) === Claim.Unclaimed) return null;
    return pending.selected;
  }

  done(selected: SelectedLines): void {
    if (this.#failed) return;
    const memory = selected.pieces.buffer;
    // Fresh memory costs a page fault per 4 KB: the worker fills this buffer again.
    if (memory instanceof ArrayBuffer) this.#worker.postMessage({ recycle: memory } satisfies ScanRecycle, [memory]);
  }

  /** Whether the worker selected the lines of `path` (false: the file was read where it was parsed). */
  served(path: string): boolean {
    return this.#served.has(path);
  }

  close(): void {
    this.#failed = true;
    this.#worker.terminate();
  }

  #settle(id: number, reply: ScanReply | null): void {
    const resolve = this.#replies.get(id);
    if (!resolve) return;
    this.#replies.delete(id);
    resolve(reply);
  }

  /** Asks for the next files while the worker is not too far ahead. */
  #fill(): void {
    while (!this.#failed && this.#next < this.files.length && (this.#aheadBytes < AHEAD_BYTES || this.#pending.size === 0)) {
      const id = this.#next++;
      const file = this.files[id] as DiscoveredFile;
      if (file.size > MAX_FILE_BYTES) continue;
      this.#aheadBytes += file.size;
      const reply = new Promise<ScanReply | null>((resolve) => this.#replies.set(id, resolve));
      const request: ScanRequest = { id, tool: this.tool, path: file.path, size: file.size, hash: this.hash, transcripts: this.transcripts, claims: this.#claims };
      this.#worker.postMessage(request);
      const selected = reply.then((answer) => {
        if (answer === null || "skipped" in answer) return null; // the worker is gone, or the parse took the file
        if ("error" in answer) throw Object.assign(new Error(answer.error), { code: answer.code });
        this.#served.add(file.path);
        return answer.selected;
      });
      selected.catch(() => undefined); // a file never taken (the parse stopped) must not be an unhandled rejection
      this.#pending.set(file.path, { id, size: file.size, selected });
    }
  }
}
