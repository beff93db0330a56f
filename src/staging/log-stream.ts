import { copyFileSync, renameSync, rmSync } from "node:fs";
import { type ChosenEvents, type ChosenRows, NOT_CHOSEN } from "./chosen-events.ts";
import { releaseLease } from "./fragment-arena.ts";
import { StagedColumns } from "./staged-columns.ts";
import { mayStream, type StagedFile } from "./staged-file.ts";
import { appendChosen, STAGED_ROW_GROUP, StagedTableWriter } from "./staged-parquet.ts";
import { type StagedRows, stagingFailure } from "./staged-rows.ts";

/** ChosenEvents' tag of a copy whose rows the stream wrote. */
const STREAMED = 1;

/**
 * The logs Parquet file of an export from session files, written while the files are parsed: the log rows of events
 * that `mayStream` (transcripts, the bulk of the bytes) go to it in the files' order as each file's turn comes, instead
 * of to the staged rows and their scratch files (400 MB of Claude sessions staged 530 MB, written out and read back);
 * the other events' rows are appended from the staged rows once every copy was seen (`finish`).
 *
 * A streamed row is final while its event's first copy stays the chosen one: a later copy outranks it only with an
 * earlier time at rank 0 (or a higher rank), which copies of one line do not have. If one does, the stream is
 * `withdrawn`: its file cannot be taken back, and the caller parses again without a stream.
 */
export class LogStream {
  readonly #writer: StagedTableWriter;
  #tail: Promise<void> = Promise.resolve();
  #withdrawn = false;
  #done = false;

  /** `rows`: the run's staged rows (their ResourceAttributes, and the memory of fragments to hand back). */
  constructor(
    private readonly rows: StagedRows,
    path: string,
    threadPool: boolean,
  ) {
    try {
      // The services are not known ahead: a value per row (dictionary-encoded like a constant).
      this.#writer = new StagedTableWriter("otel_logs", rows, path, { services: null, someUnit: false, capacities: [] }, STAGED_ROW_GROUP, threadPool);
    } catch (error) {
      throw stagingFailure(error);
    }
  }

  /** A copy whose rows were written was outranked by a later one: the file holds rows it must not. */
  get withdrawn(): boolean {
    return this.#withdrawn;
  }

  /**
   * Offers the file's events to `chosen`, in order, and writes the streamed rows of those now chosen that `wanted`
   * (ChosenEvents.test: the export's time range and service). Resolves once they are written: the next files wait, so
   * memory stays bounded whatever the parse's pace.
   */
  offer(staged: StagedFile, chosen: ChosenEvents, wanted: (i: number) => boolean): Promise<void> {
    const bytes = staged.streamLogBytes;
    const fragment = bytes.length > 0 ? new StagedColumns(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)) : null;
    let rowOf: Int32Array | null = null;
    const { events } = staged;
    for (let e = 0; e < events.count; e++) {
      const replaced = chosen.offerTagged(events, e, 0);
      if (replaced === STREAMED) this.#withdrawn = true;
      if (fragment === null || replaced === NOT_CHOSEN || !mayStream(events.rank(e), events.logs(e)) || !wanted(chosen.lastChosen)) continue;
      chosen.retag(chosen.lastChosen, STREAMED);
      rowOf ??= new Int32Array(events.count).fill(-1);
      rowOf[e] = chosen.lastChosen;
    }
    if (fragment === null) return this.#tail;
    const rows = rowOf as Int32Array | null;
    const write = rows === null || this.#withdrawn ? this.#tail : this.#tail.then(() => this.#writer.append(fragment, rows, chosen, false).catch((error) => Promise.reject(stagingFailure(error))));
    const lease = staged.streamLease;
    this.#tail = write.then(() => (lease ? releaseLease(lease) : this.rows.recycle(bytes.buffer as ArrayBuffer)));
    return this.#tail;
  }

  /**
   * Appends the staged log rows of the `chosen` events (the streamed ones have none there), ends the file and moves it
   * to `path`; the number of rows it holds.
   */
  async finish(chosen: ChosenRows, path: string): Promise<number> {
    if (this.#withdrawn) throw new Error("the log stream was withdrawn");
    let written: number;
    try {
      await this.#tail;
      await appendChosen(this.#writer, this.rows, chosen);
      written = await this.#writer.close();
    } catch (error) {
      this.abandon();
      throw stagingFailure(error);
    }
    this.#done = true;
    moveFile(this.#writer.path, path);
    return written;
  }

  /** Closes and removes the file, unless it was finished (a failure, a refusal, a dry run). */
  abandon(): void {
    if (this.#done) return;
    this.#done = true;
    this.#tail.catch(() => undefined); // its failure was thrown to the parse, or no longer matters
    this.#writer.abandon();
  }
}

/** `from` moved to `to`: renamed, or copied where they are on different file systems (a temporary folder on tmpfs). */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
}
