/**
 * Memory for staged fragments, handed back once they were written to the scratch files, to be filled again. A
 * fragment is the size of its file's rows: with transcripts, tens of MB for a large session. Made fresh for every
 * file, that memory costs a page fault per 4 KB; and where fragments come from worker threads, the ones written out
 * waited in the receiving thread for a collection that its small heap rarely runs (400 MB of sessions with
 * transcripts: a peak of 540–640 MB, 445–475 MB with the memory handed back).
 *
 * Each thread keeps at most 16 MB of it: with 64 MB, two parse workers held up to 128 MB of buffers between files (1 GB
 * of Gemini sessions peaked at 528–547 MB, with 16 MB at 437–459 MB; transcripts 2.85 against 2.92 s, 384 → 335 MB).
 */
export class FragmentMemory {
  readonly #buffers: ArrayBuffer[] = [];
  #bytes = 0;

  constructor(readonly maxBytes = 16 << 20) {}

  /** Buffers no longer used; kept up to `maxBytes` (the largest first), the rest let go. */
  give(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (buffer.byteLength === 0 || buffer.byteLength > this.maxBytes) continue;
      this.#buffers.push(buffer);
      this.#bytes += buffer.byteLength;
    }
    if (this.#bytes <= this.maxBytes) return;
    this.#buffers.sort((a, b) => b.byteLength - a.byteLength);
    while (this.#bytes > this.maxBytes) this.#bytes -= (this.#buffers.pop() as ArrayBuffer).byteLength;
  }

  /**
   * The smallest kept buffer of at least `bytes`, no longer kept; undefined when none is that large, or none is small
   * enough: a fragment pins its whole buffer until it is written out, so a small one (a file's usage rows) in a large
   * buffer (a transcript's) would hold many times its size.
   */
  take(bytes: number): ArrayBuffer | undefined {
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

