import { open, stat } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";

export interface ZipEntry {
  /** File on disk. */
  path: string;
  /** Name inside the archive; flat, no folders. */
  name: string;
}

/**
 * How much of a file is read, checksummed and written at a time, always into the same buffer. yazl (the writer before)
 * streamed each file through Node streams in fresh 64 KB chunks: the 5M-row export's 44 MB archive took ~40 MB of
 * fresh memory, a page fault per 4 KB, and ~150 ms more than the export without `--zip` (docs/performance.md
 * [S23]).
 */
const CHUNK_BYTES = 1 << 20;

const MAX_32 = 0xffffffff;
/** Bit 3: the CRC-32 and the sizes follow the data (a data descriptor); bit 11: the name is UTF-8. */
const FLAGS = (1 << 3) | (1 << 11);
const STORE = 0;
/** Unix, version 6.3 of the specification. */
const VERSION_MADE_BY = (3 << 8) | 63;
const VERSION_NEEDED = 20;
const VERSION_NEEDED_ZIP64 = 45;
const FIRST_DOS_DATE = new Date(1980, 0, 1);
const LAST_DOS_DATE = new Date(2107, 11, 31, 23, 59, 58);

interface WrittenEntry {
  name: Buffer;
  offset: number;
  size: number;
  crc: number;
  mtime: Date;
  mode: number;
  zip64: boolean;
}

/**
 * Writes the files into one archive with the STORE method (Parquet is already ZSTD), in bounded memory, in the layout
 * yazl gave it: a local header whose CRC-32 and sizes follow the data (a data descriptor), a central directory with
 * Info-ZIP's timestamp field, ZIP64 records for entries and archives past 4 GiB (or all of them, `forceZip64`: tests).
 * `comment`: the archive's comment (ASCII). The caller syncs the file.
 */
export async function writeZip(zipPath: string, entries: readonly ZipEntry[], comment = "", forceZip64 = false): Promise<void> {
  const output = await ZipOutput.open(zipPath);
  try {
    const written: WrittenEntry[] = [];
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (const entry of entries) {
      const { mtime, mode } = await stat(entry.path);
      const name = Buffer.from(entry.name);
      const offset = output.offset;
      await output.write(localHeader(name, mtime));
      const { size, crc } = await copyInto(output, entry.path, buffer);
      const zip64 = forceZip64 || size >= MAX_32 || offset >= MAX_32;
      await output.write(dataDescriptor(crc, size, zip64));
      written.push({ name, offset, size, crc, mtime, mode, zip64 });
    }
    const directoryOffset = output.offset;
    for (const entry of written) await output.write(directoryRecord(entry));
    await output.write(endRecords(written.length, directoryOffset, output.offset - directoryOffset, Buffer.from(comment, "latin1"), forceZip64));
  } finally {
    await output.close();
  }
}

/** The archive being written, and how far. */
class ZipOutput {
  offset = 0;

  private constructor(private readonly file: FileHandle) {}

  static async open(path: string): Promise<ZipOutput> {
    return new ZipOutput(await open(path, "w"));
  }

  async write(bytes: Uint8Array): Promise<void> {
    for (let done = 0; done < bytes.length; ) done += (await this.file.write(bytes, done, bytes.length - done)).bytesWritten;
    this.offset += bytes.length;
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Copies the file at `path` into the archive through `buffer`; its size and CRC-32 (Bun's native one). */
async function copyInto(output: ZipOutput, path: string, buffer: Buffer): Promise<{ size: number; crc: number }> {
  const input = await open(path, "r");
  try {
    let size = 0;
    let crc = 0;
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, buffer.length, size);
      if (bytesRead === 0) return { size, crc };
      const chunk = buffer.subarray(0, bytesRead);
      crc = Bun.hash.crc32(chunk, crc);
      await output.write(chunk);
      size += bytesRead;
    }
  } finally {
    await input.close();
  }
}

/** DOS date and time in local time, as ZIP readers show them (clamped to the years DOS can say). */
function dosDateTime(mtime: Date): { date: number; time: number } {
  const when = mtime < FIRST_DOS_DATE ? FIRST_DOS_DATE : mtime > LAST_DOS_DATE ? LAST_DOS_DATE : mtime;
  return {
    date: when.getDate() | ((when.getMonth() + 1) << 5) | ((when.getFullYear() - 1980) << 9),
    time: Math.floor(when.getSeconds() / 2) | (when.getMinutes() << 5) | (when.getHours() << 11),
  };
}

function localHeader(name: Buffer, mtime: Date): Buffer {
  const { date, time } = dosDateTime(mtime);
  const header = Buffer.alloc(30 + name.length);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(FLAGS, 6);
  header.writeUInt16LE(STORE, 8);
  header.writeUInt16LE(time, 10);
  header.writeUInt16LE(date, 12);
  // CRC-32 and sizes (14-25): zero, in the data descriptor instead.
  header.writeUInt16LE(name.length, 26);
  header.writeUInt16LE(0, 28);
  name.copy(header, 30);
  return header;
}

function dataDescriptor(crc: number, size: number, zip64: boolean): Buffer {
  const descriptor = Buffer.alloc(zip64 ? 24 : 16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(crc, 4);
  if (zip64) {
    descriptor.writeBigUInt64LE(BigInt(size), 8);
    descriptor.writeBigUInt64LE(BigInt(size), 16);
  } else {
    descriptor.writeUInt32LE(size, 8);
    descriptor.writeUInt32LE(size, 12);
  }
  return descriptor;
}

function directoryRecord(entry: WrittenEntry): Buffer {
  const { date, time } = dosDateTime(entry.mtime);
  // Info-ZIP's universal timestamp ("UT"): the modification time in UTC seconds, clamped to 32 bits.
  const timestamp = Buffer.alloc(9);
  timestamp.writeUInt16LE(0x5455, 0);
  timestamp.writeUInt16LE(5, 2);
  timestamp.writeUInt8(0b11, 4); // modification and access time flagged, as Info-ZIP writes it; only the first follows here
  timestamp.writeInt32LE(Math.min(0x7fffffff, Math.max(-0x80000000, Math.floor(entry.mtime.getTime() / 1000))), 5);
  const zip64 = Buffer.alloc(entry.zip64 ? 28 : 0);
  if (entry.zip64) {
    zip64.writeUInt16LE(0x0001, 0);
    zip64.writeUInt16LE(24, 2);
    zip64.writeBigUInt64LE(BigInt(entry.size), 4);
    zip64.writeBigUInt64LE(BigInt(entry.size), 12);
    zip64.writeBigUInt64LE(BigInt(entry.offset), 20);
  }
  const record = Buffer.alloc(46);
  record.writeUInt32LE(0x02014b50, 0);
  record.writeUInt16LE(VERSION_MADE_BY, 4);
  record.writeUInt16LE(entry.zip64 ? VERSION_NEEDED_ZIP64 : VERSION_NEEDED, 6);
  record.writeUInt16LE(FLAGS, 8);
  record.writeUInt16LE(STORE, 10);
  record.writeUInt16LE(time, 12);
  record.writeUInt16LE(date, 14);
  record.writeUInt32LE(entry.crc, 16);
  record.writeUInt32LE(entry.zip64 ? MAX_32 : entry.size, 20);
  record.writeUInt32LE(entry.zip64 ? MAX_32 : entry.size, 24);
  record.writeUInt16LE(entry.name.length, 28);
  record.writeUInt16LE(timestamp.length + zip64.length, 30);
  // File comment length, disk number, internal attributes (32-37): zero.
  record.writeUInt32LE((entry.mode << 16) >>> 0, 38);
  record.writeUInt32LE(entry.zip64 ? MAX_32 : entry.offset, 42);
  return Buffer.concat([record, entry.name, timestamp, zip64]);
}

/** The end of central directory record, after the ZIP64 one and its locator where a count, size or offset needs them. */
function endRecords(entries: number, directoryOffset: number, directorySize: number, comment: Buffer, forceZip64: boolean): Buffer {
  // Each field too small for its value says so (all of them, `forceZip64`), and the ZIP64 record holds them all.
  const manyEntries = forceZip64 || entries >= 0xffff;
  const largeDirectory = forceZip64 || directorySize >= MAX_32;
  const farDirectory = forceZip64 || directoryOffset >= MAX_32;
  const count = manyEntries ? 0xffff : entries;
  const size = largeDirectory ? MAX_32 : directorySize;
  const offset = farDirectory ? MAX_32 : directoryOffset;
  const zip64 = manyEntries || largeDirectory || farDirectory;
  const end = Buffer.alloc(22 + comment.length);
  end.writeUInt32LE(0x06054b50, 0);
  // Disk numbers (4-7): zero.
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(comment.length, 20);
  comment.copy(end, 22);
  if (!zip64) return end;
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(VERSION_MADE_BY, 12);
  record.writeUInt16LE(VERSION_NEEDED_ZIP64, 14);
  // Disk numbers (16-23): zero.
  record.writeBigUInt64LE(BigInt(entries), 24);
  record.writeBigUInt64LE(BigInt(entries), 32);
  record.writeBigUInt64LE(BigInt(directorySize), 40);
  record.writeBigUInt64LE(BigInt(directoryOffset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(directoryOffset + directorySize), 8);
  locator.writeUInt32LE(1, 16);
  return Buffer.concat([record, locator, end]);
}
