/**
 * Keeps the garbage of parsing from piling up in the process. JavaScriptCore collects the whole heap only once it
 * has grown well past what was live after the last collection, so the more events a run holds (their keys and
 * ranks stay to the end), the more garbage it lets accumulate: 250 MB of Gemini sessions, 150,000 messages, took
 * an export to 515–530 MB, of which ~160 MB went at the next full collection; with this, to ~400 MB for 6% more
 * time. Every 32 MB of input a thread parses, the process's resident size is checked; past 256 MB and more than
 * 96 MB above what the last collection left, this thread's heap is collected. Runs that stay small never pay.
 */
export class MemoryGovernor {
  static readonly CHECK_EVERY_BYTES = 32 << 20;
  static readonly RSS_FLOOR = 256 << 20;
  static readonly HEADROOM = 96 << 20;

  #sinceCheck = 0;
  #afterLastCollection = 0;

  constructor(
    private readonly residentBytes: () => number = () => process.memoryUsage.rss(),
    private readonly collect: () => void = () => Bun.gc(true),
  ) {}

  /** After each file: `bytes` of it were parsed. True when it collected. */
  afterFile(bytes: number): boolean {
    this.#sinceCheck += bytes;
    if (this.#sinceCheck < MemoryGovernor.CHECK_EVERY_BYTES) return false;
    this.#sinceCheck = 0;
    const rss = this.residentBytes();
    if (rss < MemoryGovernor.RSS_FLOOR || rss < this.#afterLastCollection + MemoryGovernor.HEADROOM) return false;
    this.collect();
    this.#afterLastCollection = this.residentBytes();
    return true;
  }
}

/** This thread's governor (each worker has its own heap, and its own). */
export const parseGovernor = new MemoryGovernor();
