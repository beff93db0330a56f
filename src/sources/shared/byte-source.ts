import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { ParseContext } from "../types.ts";

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const DEFAULT_CHUNK_SIZE = 4 << 20;
let chunkSize = DEFAULT_CHUNK_SIZE;

/** How a file is read: `signal` aborts, `hash` (default true) computes the SHA-256 of its bytes on disk. */
export type ReadOptions = ParseContext;

/** Tests shrink the read size to put line and needle boundaries across chunks; `undefined` restores the default. */
export function setChunkSizeForTests(bytes: number | undefined): void {
  chunkSize = bytes ?? DEFAULT_CHUNK_SIZE;
  pool.length = 0;
}

// Read buffers are reused from file to file (one per concurrent read): 4 MiB is not allocated per file.
const pool: Buffer[] = [];

function isZstd(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ZSTD_MAGIC.every((byte, i) => bytes[i] === byte);
}

/**
 * Reads are synchronous: a parse runs on a worker thread (or, for small inputs, briefly here), and an
 * asynchronous read costs a thread-pool round trip per chunk, which on a 2-core VM took more CPU than the
 * copy itself.
 */
function readAt(fd: number, buffer: Buffer, length: number, position: number): number {
  let filled = 0;
  while (filled < length) {
    const bytesRead = readSync(fd, buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

/**
 * One session file, opened once: its bytes in large chunks (decompressed on the fly when it is zstd, which is
 * recognised by its magic bytes, whatever the file is called: Codex ≥0.137 writes `rollout-*.jsonl.zst`), and,
 * with `hash`, the SHA-256 of the bytes as they are on disk, computed on the way (import records it; an export
 * from files does not need it).
 */
export class FileBytes {
  readonly #hasher: InstanceType<typeof Bun.CryptoHasher> | null;
  #compressed = false;

  private constructor(
    readonly path: string,
    readonly fd: number,
    hash: boolean,
  ) {
    this.#hasher = hash ? new Bun.CryptoHasher("sha256") : null;
  }

  static async open(path: string, options: ReadOptions = {}): Promise<FileBytes> {
    return new FileBytes(path, openSync(path, "r"), options.hash ?? true);
  }

  /** Known after the first chunk. */
  get compressed(): boolean {
    return this.#compressed;
  }

  /**
   * The (decompressed) bytes in order. A chunk is only valid until the next one is requested: its memory is
   * reused. Memory stays bounded by the chunk size.
   */
  async *chunks(signal?: AbortSignal): AsyncGenerator<Buffer> {
    const buffer = pool.pop() ?? Buffer.allocUnsafeSlow(chunkSize);
    try {
      signal?.throwIfAborted();
      let position = 0;
      let length = readAt(this.fd, buffer, buffer.length, position);
      if (isZstd(buffer.subarray(0, length))) {
        this.#compressed = true;
        yield* this.#decompressed(Buffer.from(buffer.subarray(0, length)), signal);
        return;
      }
      while (length > 0) {
        const chunk = buffer.subarray(0, length);
        this.#hasher?.update(chunk);
        position += length;
        yield chunk;
        signal?.throwIfAborted();
        length = readAt(this.fd, buffer, buffer.length, position);
      }
    } finally {
      pool.push(buffer);
    }
  }

  /**
   * The whole file, read at once into memory of its size (with room for what was added since it was looked at), when
   * it is not zstd; null when it is (its bytes then come from `chunks`). Read by chunks, each was copied out of the
   * reused chunk buffer and then all into one, in fresh memory twice: the export of 200 MB of Gemini sessions (legacy
   * JSON documents) made 2,400-11,000 more page faults, peaked 12-28 MB higher and took 1-2% longer.
   */
  readWhole(signal?: AbortSignal): Buffer | null {
    signal?.throwIfAborted();
    const head = Buffer.alloc(ZSTD_MAGIC.length);
    if (isZstd(head.subarray(0, readAt(this.fd, head, head.length, 0)))) return null;
    let bytes = Buffer.allocUnsafe(fstatSync(this.fd).size + (64 << 10));
    let filled = readAt(this.fd, bytes, bytes.length, 0);
    while (filled === bytes.length) {
      signal?.throwIfAborted();
      const grown = Buffer.allocUnsafe(bytes.length * 2);
      bytes.copy(grown, 0, 0, filled);
      bytes = grown;
      filled += readAt(this.fd, bytes.subarray(filled), bytes.length - filled, filled);
    }
    const whole = bytes.subarray(0, filled);
    this.#hasher?.update(whole);
    return whole;
  }

  async *#decompressed(first: Buffer, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const fd = this.fd;
    const hasher = this.#hasher;
    const size = chunkSize;
    async function* raw(): AsyncGenerator<Buffer> {
      let position = first.length;
      hasher?.update(first);
      yield first;
      for (;;) {
        // Fresh buffers: the decompressor may still hold the previous one.
        const next = Buffer.allocUnsafe(size);
        const length = readAt(fd, next, size, position);
        if (length === 0) return;
        const chunk = next.subarray(0, length);
        hasher?.update(chunk);
        position += length;
        yield chunk;
      }
    }
    // Loaded only for zstd files (node:stream and node:zlib take ~10 ms to load).
    const [{ Readable }, { createZstdDecompress }] = await Promise.all([import("node:stream"), import("node:zlib")]);
    const source = Readable.from(raw(), { objectMode: false });
    const stream = source.pipe(createZstdDecompress({ chunkSize: Math.max(64, Math.min(size, 1 << 20)) }));
    try {
      for await (const chunk of stream) {
        signal?.throwIfAborted();
        yield chunk as Buffer;
      }
    } finally {
      source.destroy();
      stream.destroy();
    }
  }

  /** `length` bytes at `offset` of a plain file, read again (a long line that turned out to be needed); `null` for zstd. */
  async reread(offset: number, length: number): Promise<Buffer | null> {
    if (this.#compressed) return null;
    const bytes = Buffer.allocUnsafe(length);
    const read = readAt(this.fd, bytes, length, offset);
    return bytes.subarray(0, read);
  }

  /** Lowercase hex SHA-256 of the bytes read from disk (the compressed bytes of a zstd file), `""` when not hashing; call once, at the end. */
  sha256(): string {
    return this.#hasher?.digest("hex") ?? "";
  }

  async close(): Promise<void> {
    closeSync(this.fd);
  }
}

/** The whole file (decompressed) and the SHA-256 of its bytes on disk (`""` without `hash`). */
export async function readFileBytes(path: string, options: ReadOptions = {}): Promise<{ bytes: Buffer; sha256: string }> {
  const file = await FileBytes.open(path, options);
  try {
    const whole = file.readWhole(options.signal);
    if (whole !== null) return { bytes: whole, sha256: file.sha256() };
    const parts: Buffer[] = [];
    for await (const chunk of file.chunks(options.signal)) parts.push(Buffer.from(chunk));
    return { bytes: Buffer.concat(parts), sha256: file.sha256() };
  } finally {
    await file.close();
  }
}

export async function readAllBytes(path: string, signal?: AbortSignal): Promise<Buffer> {
  return (await readFileBytes(path, { signal, hash: false })).bytes;
}

/**
 * Calls `onLine` for each `\n`-separated line (without the `\n`), of any length. The last line is passed with
 * `terminated: false` when the file does not end in a newline. Resolves to the number of bytes read. Copies every
 * line that spans chunks: the JSONL reader (`scanJsonl`) does not use it; it is kept for tests and tools.
 */
export async function scanLines(
  path: string,
  onLine: (line: Buffer, terminated: boolean) => void,
  signal?: AbortSignal,
): Promise<number> {
  const file = await FileBytes.open(path, { hash: false });
  try {
    let pending: Buffer[] = [];
    let total = 0;
    for await (const chunk of file.chunks(signal)) {
      total += chunk.length;
      let start = 0;
      for (let newline = chunk.indexOf(10, start); newline >= 0; newline = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, newline);
        if (pending.length > 0) {
          pending.push(piece);
          onLine(Buffer.concat(pending), true);
          pending = [];
        } else {
          onLine(piece, true);
        }
        start = newline + 1;
      }
      // Copied: the chunk's memory is reused.
      if (start < chunk.length) pending.push(Buffer.from(chunk.subarray(start)));
    }
    if (pending.length > 0) onLine(Buffer.concat(pending), false);
    return total;
  } finally {
    await file.close();
  }
}
