import { fullGC, heapSize } from "bun:jsc";

/**
 * Keeps the garbage of parsing from piling up in the process. JavaScriptCore collects the whole heap only once it
 * has grown well past what was live after the last collection, so the more a thread holds (the events' keys and
 * ranks stay to the end) or throws away (with transcripts, every line decoded: several times the file's size in
 * strings), the more garbage it lets accumulate. After each file (and each run of staged rows written as Parquet,
 * whose compressed pages are memory outside the heap), this thread's heap is collected when the process is past
 * RSS_FLOOR and either
 * - this thread's heap grew by HEAP_GROWTH since the last collection (a parse worker with transcripts: 400 MB of
 *   Claude sessions peaked at 500–600 MB, with this at 445–485 MB, for ~0.1 s more), or
 * - at a check every CHECK_EVERY_BYTES parsed, the process's RSS is HEADROOM above what the last collection left
 *   (250 MB of Gemini sessions, 150,000 messages, held in this thread: 515–530 MB, with this ~400 MB, for 6% more
 *   time; the heap alone misses it there).
 * Runs that stay small never pay.
 *
 * Below RELEASE_ABOVE a collection is JavaScriptCore's alone (`fullGC`); above, `Bun.gc(true)`, which then also has
 * mimalloc give every free page back to the system at once. The next file's buffers and strings take those pages
 * again, a page fault per 4 KB: with `Bun.gc(true)` always, the 400 MB transcripts export took 4.3-5.6 s and ~255,000
 * faults, with `fullGC` always 3.7-5.1 s and ~210,000, but kept 40-90 MB more (corrupted files, test/fuzz.test.ts:
 * 396-430 against 324-343 MB; with this rule 387-405 MB); docs/performance.md [S15].
 */
export class MemoryGovernor {
  static readonly CHECK_EVERY_BYTES = 32 << 20;
  static readonly RSS_FLOOR = 256 << 20;
  static readonly HEADROOM = 96 << 20;
  static readonly HEAP_GROWTH = 32 << 20;
  static readonly RELEASE_ABOVE = 384 << 20;
  static readonly READ_EVERY_BYTES = 1 << 20;

  #sinceCheck = 0;
  #sinceRead = 0;
  #rssAfterLastCollection = 0;
  #heapAfterLastCollection: number;

  constructor(
    private readonly residentBytes: () => number = () => process.memoryUsage.rss(),
    private readonly collect: (rss: number) => void = (rss) => (rss > MemoryGovernor.RELEASE_ABOVE ? Bun.gc(true) : void fullGC()),
    private readonly heapBytes: () => number = heapSize,
  ) {
    this.#heapAfterLastCollection = heapBytes();
  }

  /**
   * Before work that follows other work on this thread (writing the staged rows after the parse): collects now when
   * the process is past RSS_FLOOR, so that the new work does not start on top of the old one's garbage. True when it
   * collected.
   */
  collectIfLarge(): boolean {
    const rss = this.residentBytes();
    if (rss < MemoryGovernor.RSS_FLOOR) return false;
    this.collect(rss);
    this.#rssAfterLastCollection = this.residentBytes();
    this.#heapAfterLastCollection = this.heapBytes();
    return true;
  }

  /**
   * After a piece of work (a file parsed, a run of staged rows written as Parquet) of `bytes`. True when it collected.
   * Looks at the process once per READ_EVERY_BYTES of work: the RSS is a read of /proc/self/stat (10-60 us on a
   * 2-vCPU VM), and a run of rows written is often a few KB (the 400 MB usage export read it ~700 times, ~40 ms of
   * its main thread; now ~130).
   */
  afterWork(bytes: number): boolean {
    this.#sinceCheck += bytes;
    this.#sinceRead += bytes;
    if (this.#sinceRead < MemoryGovernor.READ_EVERY_BYTES) return false;
    this.#sinceRead = 0;
    const checkDue = this.#sinceCheck >= MemoryGovernor.CHECK_EVERY_BYTES;
    if (checkDue) this.#sinceCheck = 0;
    // The RSS first: reading it costs microseconds, the heap's size a walk over the heap (~0.5 ms at 2 million objects).
    const rss = this.residentBytes();
    if (rss < MemoryGovernor.RSS_FLOOR) return false;
    const heapGrew = this.heapBytes() >= this.#heapAfterLastCollection + MemoryGovernor.HEAP_GROWTH;
    if (!heapGrew && !checkDue) return false;
    if (!heapGrew && rss < this.#rssAfterLastCollection + MemoryGovernor.HEADROOM) return false;
    this.collect(rss);
    this.#rssAfterLastCollection = this.residentBytes();
    this.#heapAfterLastCollection = this.heapBytes();
    return true;
  }
}
