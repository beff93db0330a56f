/**
 * Memory for staged fragments, handed back once they were written to the scratch files, to be filled again. A
 * fragment is the size of its file's rows: with transcripts, tens of MB for a large session. Made fresh for every
 * file, that memory costs a page fault per 4 KB; and where fragments come from worker threads, the ones written out
 * waited in the receiving thread for a collection that its small heap rarely runs (400 MB of sessions with
 * transcripts: a peak of 540–640 MB, 445–475 MB with the memory handed back).
 *
 * Each thread keeps at most 16 MB of it: with 64 MB, two parse workers held up to 128 MB of buffers between files (1 GB
 * of Gemini sessions peaked at 528–547 MB, with 16 MB at 437–459 MB; transcripts 2.85 against 2.92 s, 384 → 335 MB).
 * A thread that made a larger fragment (a large session's transcript: 16-32 MB) keeps up to that much, at most
 * MAX_LARGE_BYTES, so that the next large one fills it again: the 400 MB transcripts export made 90 of its ~350 MB of
 * fragments fresh in such buffers (a page fault per 4 KB); kept, 9,000-16,000 fewer faults, 3-5% less time in two of
 * three alternating sets (docs/performance.md [S18]), the same RSS.
 * Gemini's fragments stay under 4 MB: its threads keep 16 MB, less their arena's (below).
 *
 * The memory of a parse worker's FragmentArena (its log stream fragments, which no longer come here) counts against
 * `maxBytes`, down to MIN_BYTES: with 16 MB kept here beside an arena, 1 GB of Gemini sessions with `--threads 16`
 * peaked 50 MB higher (its workers' usage fragments, handed back in bursts once written out, filled it).
 */
export class FragmentMemory {
  static readonly MAX_LARGE_BYTES = 32 << 20;
  static readonly MIN_BYTES = 4 << 20;
  readonly #buffers: ArrayBuffer[] = [];
  #bytes = 0;
  /** The largest fragment `take` was asked for. */
  #largest = 0;

  constructor(
    readonly maxBytes = 16 << 20,
    /** Memory kept beside this, which counts against `maxBytes` (the thread's FragmentArena). */
    private readonly beside: { readonly heldBytes: number } | null = null,
  ) {}

  /**
   * How much is kept: `maxBytes` less what is kept beside (at least MIN_BYTES), or the largest fragment made if
   * larger, up to MAX_LARGE_BYTES.
   */
  get #limit(): number {
    const floor = Math.min(FragmentMemory.MIN_BYTES, this.maxBytes);
    const own = this.beside ? Math.max(floor, this.maxBytes - this.beside.heldBytes) : this.maxBytes;
    return Math.max(own, Math.min(this.#largest, FragmentMemory.MAX_LARGE_BYTES));
  }

  /** Buffers no longer used; kept up to the limit (the largest first), the rest let go. */
  give(buffers: readonly ArrayBuffer[]): void {
    const limit = this.#limit;
    for (const buffer of buffers) {
      if (buffer.byteLength === 0 || buffer.byteLength > limit) continue;
      this.#buffers.push(buffer);
      this.#bytes += buffer.byteLength;
    }
    if (this.#bytes <= limit) return;
    this.#buffers.sort((a, b) => b.byteLength - a.byteLength);
    while (this.#bytes > limit) this.#bytes -= (this.#buffers.pop() as ArrayBuffer).byteLength;
  }

  /**
   * The smallest kept buffer of at least `bytes`, no longer kept; undefined when none is that large, or none is small
   * enough: a fragment pins its whole buffer until it is written out, so a small one (a file's usage rows) in a large
   * buffer (a transcript's) would hold many times its size.
   */
  take(bytes: number): ArrayBuffer | undefined {
    if (bytes > this.#largest) this.#largest = bytes;
    let best = -1;
    const most = 2 * bytes + (64 << 10);
    for (let i = 0; i < this.#buffers.length; i++) {
      const length = (this.#buffers[i] as ArrayBuffer).byteLength;
      if (length >= bytes && length <= most && (best < 0 || length < (this.#buffers[best] as ArrayBuffer).byteLength)) best = i;
    }
    if (best < 0) return undefined;
    const [buffer] = this.#buffers.splice(best, 1) as [ArrayBuffer];
    this.#bytes -= buffer.byteLength;
    return buffer;
  }

  get heldBytes(): number {
    return this.#bytes;
  }
}

