import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { createZstdDecompress } from "node:zlib";

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const CHUNK_SIZE = 1 << 20;

/** zstd is recognised by its magic bytes, whatever the file is called (Codex ≥0.137 writes `rollout-*.jsonl.zst`). */
export async function isZstdFile(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head.equals(ZSTD_MAGIC);
  } finally {
    await handle.close();
  }
}

/** The file's bytes in chunks, decompressed on the fly when it is zstd; memory stays bounded by the chunk size. */
export async function* readChunks(path: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const raw = createReadStream(path, { highWaterMark: CHUNK_SIZE });
  const stream = (await isZstdFile(path)) ? raw.pipe(createZstdDecompress()) : raw;
  try {
    for await (const chunk of stream) {
      signal?.throwIfAborted();
      yield chunk as Buffer;
    }
  } finally {
    raw.destroy();
    stream.destroy();
  }
}

export async function readAllBytes(path: string, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of readChunks(path, signal)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Calls `onLine` for each `\n`-separated line (without the `\n`), of any length. The last line is passed with
 * `terminated: false` when the file does not end in a newline. Resolves to the number of bytes read.
 */
export async function scanLines(
  path: string,
  onLine: (line: Buffer, terminated: boolean) => void,
  signal?: AbortSignal,
): Promise<number> {
  let pending: Buffer[] = [];
  let total = 0;
  for await (const chunk of readChunks(path, signal)) {
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
    // Copied: the stream owns the chunk's memory.
    if (start < chunk.length) pending.push(Buffer.from(chunk.subarray(start)));
  }
  if (pending.length > 0) onLine(Buffer.concat(pending), false);
  return total;
}
