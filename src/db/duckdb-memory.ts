import { totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { errorMessage } from "../shared/errors.ts";
import { runTag } from "../shared/run-tag.ts";
import { removeScratchLeftovers } from "./scratch-files.ts";
import type { DuckDBConnection } from "./duckdb.ts";
import { queryNumber } from "./query-number.ts";
import { holdsLargeRows } from "./schema.ts";

/**
 * DuckDB's buffer memory while an export or an import works (RunSettings.duckdbMemoryLimit, `AI_OBSERVER_MEMORY_LIMIT`,
 * overrides both).
 * Export 192 MB: with the compiled executable (its runtime and DuckDB's library are part of the process), 256 MB
 * let a 5-million-row export peak at 440–520 MB; 192 MB gave 380–450 MB at the same speed, and 128 MB made DuckDB
 * run out and retry without the limit. Import 128 MB while it inserts the staged rows, its largest step (the later
 * steps get more, see importMemoryLimits): a 2 GB import peaked at 424–466 MB with 192 MB and 358–396 MB with
 * 128 MB, at the same speed (docs/performance.md). Archive import (`import --from-export`) 192 MB: the sets of events
 * it compares (a 128-bit hash each) ran out of 128 MB for the 1.75 million events of an export of 5 million metric
 * rows; in buckets of a million rows they hold (run-archive-import.ts), and an import of 5.6 million rows stayed
 * under 490 MB until its indexes, against 516-584 MB with 256 MB and buckets of 2 million (docs/performance.md
 * [S16]).
 */
const MEMORY_LIMIT_MB = { export: 192, import: 128, archive: 192 } as const;
/**
 * The bound for work on rows that may each be large, on one thread (`onLargeRows`, copy-shape.ts). An export's COPY of
 * the logs of 2 GB of Claude sessions with transcripts ran one thread out of 192 MB and held under 256; an archive
 * import's steps over the same rows hold in its own 192 MB on one thread (381-434 MB at the peak, 452-454 MB under 256),
 * and the upgrade's copy of a database (storage-copy.ts) in the import's 128 MB (492 MB at the peak).
 */
const LARGE_ROWS_LIMIT_MB: Record<keyof typeof MEMORY_LIMIT_MB, number> = { export: 256, import: MEMORY_LIMIT_MB.import, archive: 192 };

/**
 * DuckDB's threads while an import inserts, or makes an index over a large table: each holds its own rows and
 * allocations outside the memory limit. The 1 GB Gemini import (2.6 million rows) peaked at 594-611 MB with 4 threads
 * (`--threads 16`), 492-512 MB with 2; the archive import of 5.6 million rows ran out of its bound on 4, twice, and
 * its retry without one peaked at 791 MB and 2.1 GB; the largest index over its 5 million metric rows took ~25 MB more
 * on 4 than on 2 (docs/performance.md [S20]).
 */
const HEAVY_WORK_THREADS = 2;

/**
 * Below this many rows an import inserts on one thread. With `preserve_insertion_order` off, each of DuckDB's threads
 * writes its own row groups ahead and the COMMIT's checkpoint writes them again, leaving the first copies as free
 * blocks in the file; on one thread they are kept. New databases, one thread against two (docs/performance.md
 * [S26]): 2 GB of Claude sessions (462,252 rows) 7.86 against 8.74 s, 285 against 329 MB, a 107-110 MB file
 * against 138-143 MB; 200 MB of Gemini sessions with transcripts (658,197 rows) 12.3-14.0 against 12.4-15.0 s, a 526-532
 * MB file against 730-760 MB; 2 GB of Claude sessions with transcripts (579,205 rows) 71.9 against 79.2 s; a day's
 * sessions into 5 million rows the same. 3.35 million rows (1 GB of Gemini sessions) took 51-59 against 45-52 s on one.
 */
const ONE_THREAD_BELOW_ROWS = 1_000_000;

/** Holds DuckDB to `most` threads (HEAVY_WORK_THREADS); resolves to the number it had. */
export async function fewerThreads(connection: DuckDBConnection, most = HEAVY_WORK_THREADS): Promise<number> {
  const threads = await currentThreads(connection);
  if (threads > most) await connection.run(`SET threads = ${most}`);
  return threads;
}

/** Runs `work` with DuckDB held to `most` threads (fewerThreads), then gives it the threads it had back. */
export async function onFewerThreads<T>(connection: DuckDBConnection, most: number, work: () => Promise<T>): Promise<T> {
  const threads = await fewerThreads(connection, most);
  return thenRestore(work, () => connection.run(`SET threads = ${threads}`));
}

/**
 * Runs `work`, then `restore` (what it set aside). Once a statement failed inside a transaction, DuckDB refuses every
 * other until the ROLLBACK ("Current transaction is aborted"): then the work's error is the one thrown, and the
 * settings are put back after the ROLLBACK (DuckDBMemory.retryWithMoreMemory), where a refused restore had hidden an
 * out-of-memory error that the retry was for.
 */
async function thenRestore<T>(work: () => Promise<T>, restore: () => Promise<unknown>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await restore().catch(() => undefined);
    throw error;
  }
  await restore();
  return result;
}

const currentThreads = (connection: DuckDBConnection) => queryNumber(connection, "SELECT current_setting('threads')::INTEGER");

/**
 * Spill, if ever needed, to the system's temporary folder: the database's own folder may be read-only, and an
 * in-memory database would spill into the current folder. Once DuckDB spilled, it refuses to be given a folder again
 * ("Cannot switch temporary directory after the current one has been used"), even the same one.
 */
export async function spillToScratch(connection: DuckDBConnection): Promise<void> {
  const dir = join(tmpdir(), `ai-observer-duckdb-${runTag()}`);
  const current = (await connection.runAndReadAll("SELECT current_setting('temp_directory')")).getRows()[0]?.[0];
  if (current === dir) return;
  removeScratchLeftovers();
  await connection.run("SET temp_directory = $dir", { dir });
}

const OUT_OF_MEMORY = /failed to allocate|could not allocate|failed to pin|out of memory/i;

/** Whether DuckDB ran out of its memory limit (also where that made it fail to roll back: "FATAL Error"). */
export function isOutOfMemory(error: unknown): boolean {
  return OUT_OF_MEMORY.test(errorMessage(error));
}

/**
 * DuckDB's memory over one run's work on a connection (an export, an import, the indexes it makes): bounded step by
 * step, raised for work that ran out under a bound, and lifted for the rest of the run once work ran out twice.
 * `setting`: RunSettings.duckdbMemoryLimit (`AI_OBSERVER_MEMORY_LIMIT`), which then chooses the bound.
 */
export class DuckDBMemory {
  #unbounded = false;
  /** The work `bound` was set for. */
  #work: keyof typeof MEMORY_LIMIT_MB = "import";
  /** The limit last set here (null: none set yet). */
  #limit: string | null = null;

  constructor(
    readonly connection: DuckDBConnection,
    private readonly setting: string | null = null,
  ) {}

  /**
   * COPY keeps table order by default and buffers for it (1.7 GB on 5 million rows here). The Parquet row order means
   * nothing (the Go original has no ORDER BY either), so drop it, and cap DuckDB's buffer memory so that exports and
   * imports stay small on any history. An import also has DuckDB give back what its INSERTs free, and works on at
   * most HEAVY_WORK_THREADS threads, on one when it inserts fewer than ONE_THREAD_BELOW_ROWS `rows`.
   */
  async bound(work: keyof typeof MEMORY_LIMIT_MB, rows = Number.POSITIVE_INFINITY): Promise<void> {
    const { connection } = this;
    this.#unbounded = false;
    await connection.run("SET preserve_insertion_order = false");
    this.#work = work;
    await this.#setLimit(this.setting ?? `${MEMORY_LIMIT_MB[work]}MB`);
    // DuckDB's allocator (jemalloc) keeps what an INSERT frees, outside the memory limit, until a single deallocation
    // of more than 512 MB; on threads of its own it gives it back as they go. The archive's 5.6 million rows inserted
    // peaked at 380-470 instead of 650-690 MB, in the same time. A flush at every deallocation over 1 MB (what an import
    // from files did) bounded memory as well, but faulted the pages in again and again: the archive 162 s instead of
    // ~100, 200 MB of Gemini sessions with transcripts 17.9 against 14.2 s, 2 GB of Claude sessions with transcripts 96
    // against 70 s, at the same peaks (docs/performance.md [S26]).
    if (work !== "export") {
      await connection.run("SET allocator_background_threads = true");
      await fewerThreads(connection, work === "import" && rows < ONE_THREAD_BELOW_ROWS ? 1 : HEAVY_WORK_THREADS);
    }
    await spillToScratch(connection);
  }

  /**
   * Raises DuckDB's limit for the next step of an import (`importMemoryLimits`); not when the work already runs
   * without one, nor when the run's setting chose the bound, except for the COMMIT, which then gets none (a commit
   * under too small a limit fails, where the work is retried).
   */
  async step(step: "bookkeeping" | "commit", size: ImportSize): Promise<void> {
    if (this.#unbounded) return;
    if (this.setting !== null) {
      if (step === "commit") await this.lift();
      return;
    }
    await this.#setLimit(importMemoryLimits(size, this.#work === "archive" ? "archive" : "import")[step]);
  }

  /**
   * Runs `work` on rows that may each be large (copy-shape.ts) on one DuckDB thread, under LARGE_ROWS_LIMIT_MB for
   * the run's work (or the limit set, if more: a step's or a retry's) unless the run's setting chose the bound; then
   * gives back the threads and the limit it found (unless work ran out of memory twice, which lifts it for the rest of
   * the run). DuckDB holds such rows per thread, several times over.
   */
  async onLargeRows<T>(work: () => Promise<T>): Promise<T> {
    const before = this.#limit;
    const bounded = this.setting === null && !this.#unbounded && before !== null;
    if (bounded) await this.#setLimit(`${Math.max(LARGE_ROWS_LIMIT_MB[this.#work], Number.parseInt(before, 10))}MB`);
    return thenRestore(
      () => onFewerThreads(this.connection, 1, work),
      async () => {
        if (bounded && !this.#unbounded) await this.#setLimit(before);
      },
    );
  }

  /** Runs `work` on the rows of `table`: on one thread under onLargeRows' bound where they may be large (holdsLargeRows). */
  onRowsOf<T>(table: string, work: () => Promise<T>): Promise<T> {
    return holdsLargeRows(table) ? this.onLargeRows(work) : work();
  }

  /**
   * Runs `work` inside the caller's open transaction. The memory limit is a hard limit in DuckDB: should a history
   * need more (very large rows, or indexes that cannot be evicted), the transaction is rolled back and `work` runs
   * again in a new one under twice the limit, then, should that run out too, without one, rather than failing. While
   * we hold the database no other process writes to it, so the new transaction sees the same data.
   */
  retryInTransaction<T>(work: () => Promise<T>): Promise<T> {
    return this.retryWithMoreMemory(
      work,
      () => this.connection.run("ROLLBACK"),
      () => this.connection.run("BEGIN TRANSACTION"),
    );
  }

  /**
   * As retryInTransaction, for any work: `undo` takes back what a failed attempt left (its transaction, or the files
   * it wrote) before the limit is raised, and `restart` prepares the next attempt. Twice the limit first: the same
   * work does not always take the same memory (DuckDB's threads share it as they go), and an archive import of 5.6
   * million rows that fits in its 192 MB on most runs ran out on some; without a limit, its retry took 4.5 GB.
   */
  async retryWithMoreMemory<T>(work: () => Promise<T>, undo: () => unknown, restart: () => unknown = () => undefined): Promise<T> {
    const threads = await currentThreads(this.connection);
    for (const raise of [() => this.double(), () => this.lift()]) {
      const limit = this.#limit;
      try {
        return await work();
      } catch (error) {
        if (!isOutOfMemory(error)) throw error;
        await undo();
        // What the work's steps set aside and, in a transaction it aborted, could not put back (thenRestore).
        await this.connection.run(`SET threads = ${threads}`);
        if (limit !== null) await this.#setLimit(limit);
        await raise();
        await restart();
      }
    }
    return work();
  }

  /** Twice the limit now set, up to DuckDB's own default (which it then is, for the rest of the run). */
  async double(): Promise<void> {
    const bytes = await memoryLimitBytes(this.connection);
    const megabytes = bytes === null ? Number.POSITIVE_INFINITY : Math.ceil((2 * bytes) / 1e6);
    if (megabytes >= unboundedMegabytes()) return this.lift();
    await this.#setLimit(`${megabytes}MB`);
  }

  /** Gives DuckDB its own default memory limit back, for the rest of the run. */
  async lift(): Promise<void> {
    await this.#setLimit(defaultMemoryLimit());
    this.#unbounded = true;
  }

  async #setLimit(limit: string): Promise<void> {
    await this.connection.run("SET memory_limit = $limit", { limit });
    this.#limit = limit;
  }
}

const LIMIT_UNITS: Record<string, number> = { bytes: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/** DuckDB's memory limit now, in bytes (it shows it as e.g. `183.1 MiB`); null when it cannot be read so. */
async function memoryLimitBytes(connection: DuckDBConnection): Promise<number | null> {
  const shown = String((await connection.runAndReadAll("SELECT current_setting('memory_limit')")).getRows()[0]?.[0]);
  const match = /^([\d.]+) ?(bytes|KiB|MiB|GiB|TiB)$/.exec(shown);
  return match ? Number(match[1]) * (LIMIT_UNITS[match[2] as string] as number) : null;
}

/** DuckDB's own default limit: 80% of the machine's memory. */
function unboundedMegabytes(): number {
  return Math.floor((totalmem() * 0.8) / 1024 ** 2);
}

/** DuckDB's own default `memory_limit`, as a setting's value. */
export function defaultMemoryLimit(): string {
  return `${unboundedMegabytes()}MB`;
}

/** What an import's memory is sized from: the events it records, and the rows the database held before it. */
export interface ImportSize {
  events: number;
  rowsBefore: number;
  /** The rows the import adds (0 until known). */
  rowsAdded: number;
  /**
   * Whether the telemetry tables keep their indexes through the import's COMMIT: not while they are pending (a new
   * database's, made after its rows, or dropped for them: prepareIndexesForImport). Until known, they do.
   */
  indexed: boolean;
  /**
   * Whether the database is in a storage format older than the one our import creates (inOlderStorage: the Go
   * server's), whose COMMIT loads and writes its indexes whole. Until known, it is.
   */
  wholeIndexes: boolean;
}

/**
 * Per event recorded: what recording it in `ai_observer_import_events` may take in DuckDB. An archive import groups
 * its events' keys first (1.75 million ran out of 128 MB), from its 192 MB: with 64 bytes per event the 5.6M-row
 * archive's bookkeeping peaked at 463-520 MB into a new database, with 32 at 417-447 MB in the same time, and the merge
 * into its first half held too (no retry in 5 runs). The table has no primary key, so its new rows go to the file as
 * they come; with one, a transaction's rows stayed in memory until the COMMIT, 640 bytes per event.
 */
const BOOKKEEPING_BYTES_PER_EVENT = { import: 64, archive: 32 } as const;
/**
 * Per row already in a database in an older storage format (ImportSize.wholeIndexes): what its indexes may take at an
 * import's COMMIT, which loads and writes them whole (2.5x what was seen to be needed). Also for an archive's rows in
 * any format (indexedCommitBytes).
 */
const COMMIT_BYTES_PER_ROW = 48;
/**
 * Per row an import adds to a table that keeps its indexes: DuckDB appends them again at the COMMIT, in memory, and
 * holds the index nodes their keys change until its checkpoint writes them. In an older storage format, beside the
 * stored rows' bound: 3.35 million rows (1 GB of Gemini sessions) into a database of 5.5 million ran out of that bound
 * alone and left DuckDB unable to roll back ("FATAL Error"); without a bound the process peaked at 692 MB, ~200 MB of
 * it for those rows (such an import now drops the indexes first: prepareIndexesForRows). In the newer format the
 * COMMIT loads only the nodes it changes, and a bound by the stored rows only let DuckDB cache more (docs/performance.md
 * [S34], into 10 million metric rows, with it and with 256 bytes per added row alone): 200 MB of Gemini sessions
 * (658,197 rows) 759 and 476 MB, 2 GB of Claude sessions with transcripts (579,205 rows, 1.1 GB of text) 972 and 558
 * MB, 1 GB of Gemini sessions (3.35 million rows) 747 and 739 MB. What the COMMIT needs grows with the index keys the
 * rows add: those 3.35 million rows ran out at 64 and 80 bytes per added row ("FATAL Error: Failed to rollback
 * transaction"; nothing imported, the database intact) and held at 96; were every one a log row (each with a timestamp
 * of its own, where an event's metric rows share one), its 1.33 million log rows would have taken at most 242 each.
 * Synthetic inserts: log rows each with a timestamp of its own held at 128 bytes per row; metric rows each with one
 * (as OTLP data points are) needed more than 290: our parsers make none, an archive may hold them (indexedCommitBytes).
 */
const COMMIT_BYTES_PER_ADDED_ROW = { whole: 64, changed: 256 } as const;

/**
 * The least a COMMIT into tables that keep their indexes is given, however few rows it adds: DuckDB pins the nodes of
 * every index on the way to their keys. A day's sessions (5,518 rows) into a database our import had made of 1 GB of
 * Gemini sessions (3.35 million rows, the Go 0.5 schema's 25 indexes made after them) ran out of the 131 MB its rows
 * gave the COMMIT ("failed to pin block", and DuckDB could not roll back: the import was done again under twice the
 * bound, 2.8 s in all), also once its rows went to row groups of their own (open.ts: 2.45 against 1.68 s), and held
 * under 160 and 192 MB (2.1-2.2 s, 341-354 MB at the peak, before those row groups); under 256, 418 MB. Into the
 * benchmark's 10M-row database the same import took the same time and memory with this floor as without
 * (docs/performance.md [S37]).
 */
const INDEXED_COMMIT_FLOOR_MB = 192;

const megabytes = (bytes: number) => Math.ceil(bytes / 1024 ** 2);

/**
 * What a COMMIT into tables that keep their indexes may take for them (COMMIT_BYTES_PER_ROW, COMMIT_BYTES_PER_ADDED_ROW):
 * by the rows added alone for rows our parsers made (`work` "import") into a database in our storage format; an
 * archive's rows may be any source's, and keep the bound of the stored rows too.
 */
function indexedCommitBytes(size: ImportSize, work: keyof typeof BOOKKEEPING_BYTES_PER_EVENT): number {
  if (work === "import" && !size.wholeIndexes) return size.rowsAdded * COMMIT_BYTES_PER_ADDED_ROW.changed;
  return size.rowsBefore * COMMIT_BYTES_PER_ROW + size.rowsAdded * COMMIT_BYTES_PER_ADDED_ROW.whole;
}

/**
 * DuckDB's memory limits for the steps of an import. `rows`: inserting the staged rows, which DuckDB writes to the file
 * as it goes (128 MB), or an archive's (`work`: its 192 MB; its bookkeeping reads the archive's files again: merging
 * the 5.6M-row export into a database holding its first half, it ran out of 128 MB + 64 bytes per event in 5 of 6
 * runs, and the retries peaked at 537-896 MB; from 192 MB none ran out, 491-505 MB).
 * `bookkeeping`: then recording its events, 64 bytes per event more, an archive's 32 (BOOKKEEPING_BYTES_PER_EVENT).
 * `commit`: the COMMIT adds the new rows to their indexes (go-reference §1.3) and checkpoints: in an older storage
 * format, which loads and pins the existing indexes whole, 48 bytes more per row already in the telemetry tables and 64
 * per row added; in ours, 256 per row added for an import of session files (indexedCommitBytes); at least
 * INDEXED_COMMIT_FLOOR_MB in both. Tables without their
 * indexes (`size.indexed` false) take neither: their COMMIT merges the row groups the INSERTs wrote (1 GB of Gemini
 * sessions into a new database, 2.4 million rows: peaks of 424-526 MB at the COMMIT with them, 404-436 MB for the run,
 * the parse's, without). Under a fixed bound, an
 * import of 2 GB of sessions into a database of 15 million metric rows failed on every run ("Failed to commit: failed
 * to pin block", at 183 of 192 MB), and one into 5 million rows under 96 MB left DuckDB unable to roll back ("FATAL
 * Error"). None above DuckDB's default.
 */
export function importMemoryLimits(size: ImportSize, work: keyof typeof BOOKKEEPING_BYTES_PER_EVENT = "import"): Record<"rows" | "bookkeeping" | "commit", string> {
  const cap = unboundedMegabytes();
  const rows = MEMORY_LIMIT_MB[work];
  const bookkeeping = rows + megabytes(size.events * BOOKKEEPING_BYTES_PER_EVENT[work]);
  const commit = size.indexed ? Math.max(INDEXED_COMMIT_FLOOR_MB, bookkeeping + megabytes(indexedCommitBytes(size, work))) : bookkeeping;
  const limit = (mb: number) => `${Math.min(cap, mb)}MB`;
  return { rows: limit(rows), bookkeeping: limit(bookkeeping), commit: limit(commit) };
}

/** The rows of the telemetry tables, whose indexes a commit updates (from DuckDB's row counts: milliseconds on millions). */
export function telemetryRowCount(connection: DuckDBConnection): Promise<number> {
  return queryNumber(connection, "SELECT (SELECT count(*) FROM otel_traces) + (SELECT count(*) FROM otel_logs) + (SELECT count(*) FROM otel_metrics)");
}

/**
 * Per row of its table: the memory one of AI Observer's indexes may take while DuckDB builds it (in memory: Go 0.4's
 * `(MetricName, ServiceName, Timestamp)` over 5 million metric rows, in a DuckDB instance that holds nothing else,
 * ran out of 304 MiB and held in 340 MiB, i.e. under 72 bytes per row even without the base). Without a bound, DuckDB
 * also kept the table's blocks it read, and a 5.6-million-row import peaked at 905 instead of ~650 MB; at 100 bytes
 * per row the archive import of 5.6 million rows peaked at 492-509 MB, at 72 at 492-500 MB (docs/performance.md
 * [S16]).
 */
const INDEX_BYTES_PER_ROW = 72;

/** DuckDB's memory limit for building an index over a table of `rows` rows (pending-indexes.ts). */
export function indexMemoryLimit(rows: number): string {
  return `${Math.min(unboundedMegabytes(), MEMORY_LIMIT_MB.import + megabytes(rows * INDEX_BYTES_PER_ROW))}MB`;
}
