/**
 * Memory for the texts of one file (large strings unescaped into bytes, see large-strings.ts), taken in blocks from
 * this thread's pool and handed back once the file's rows are staged (`ParsedFile.release`). With transcripts the
 * texts are most of the bytes read; made fresh for every text, that memory cost a page fault per 4 KB and waited
 * for a collection to be let go.
 */
export class TextArena {
  static readonly BLOCK_BYTES = 4 << 20;
  readonly #blocks: Buffer[] = [];
  #block: Buffer | null = null;
  #used = 0;

  constructor(private readonly pool: TextBlockPool) {}

  /** `bytes` of memory (a view of a block, or its own for a text larger than a block). */
  take(bytes: number): Buffer {
    if (bytes > TextArena.BLOCK_BYTES) return Buffer.allocUnsafeSlow(bytes);
    if (this.#block === null || this.#used + bytes > this.#block.length) {
      this.#block = this.pool.take();
      this.#blocks.push(this.#block);
      this.#used = 0;
    }
    const start = this.#used;
    this.#used += bytes;
    return this.#block.subarray(start, this.#used);
  }

  /** The last `take` used only `length` of its bytes: the rest is free again. */
  trim(taken: Buffer, length: number): Buffer {
    if (this.#block !== null && taken.buffer === this.#block.buffer && taken.byteOffset + taken.length === this.#block.byteOffset + this.#used) {
      this.#used -= taken.length - length;
    }
    return taken.subarray(0, length);
  }

  /** Every text taken is no longer used: the blocks go back to the pool. */
  release(): void {
    for (const block of this.#blocks) this.pool.give(block);
    this.#blocks.length = 0;
    this.#block = null;
    this.#used = 0;
  }
}

/** One thread's blocks for `TextArena`s, up to `maxBlocks` kept. */
export class TextBlockPool {
  readonly #blocks: Buffer[] = [];

  constructor(readonly maxBlocks = 16) {}

  take(): Buffer {
    return this.#blocks.pop() ?? Buffer.allocUnsafeSlow(TextArena.BLOCK_BYTES);
  }

  give(block: Buffer): void {
    if (this.#blocks.length < this.maxBlocks) this.#blocks.push(block);
  }
}
