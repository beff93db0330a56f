import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/**
 * How an archive says that its rows were deleted from the database (`--delete-after`), so that no later export
 * replaces it: the ZIP's comment, and a key of each Parquet file's key-value metadata (the views database holds no
 * rows and is not marked).
 */
export const DELETED_ROWS_COMMENT = "ai-observer: the rows in this archive were deleted from the database after it was written; it may be their only copy";
export const DELETED_ROWS_PARQUET_KEY = "ai_observer_rows_deleted";

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_SIZE = 22;

function readTail(path: string, bytes: number): Buffer | null {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const tail = Buffer.alloc(length);
    readSync(fd, tail, 0, length, size - length);
    return tail;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The comment of a ZIP file (its end-of-central-directory record is within the last 64 KiB + 22 bytes). */
function zipComment(path: string): string | null {
  const tail = readTail(path, EOCD_SIZE + 0xffff);
  if (tail === null) return null;
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) {
    if (tail.readUInt32LE(at) !== EOCD_SIGNATURE) continue;
    const length = tail.readUInt16LE(at + 20);
    if (at + EOCD_SIZE + length === tail.length) return tail.toString("latin1", at + EOCD_SIZE, at + EOCD_SIZE + length);
  }
  return null;
}

/** Whether a Parquet file's footer (the file metadata, key-value pairs included) names the key. */
function parquetFooterHas(path: string, key: string): boolean {
  const end = readTail(path, 8);
  if (end === null || end.length < 8 || end.toString("latin1", 4, 8) !== "PAR1") return false;
  const footer = readTail(path, end.readUInt32LE(0) + 8);
  return footer !== null && footer.includes(Buffer.from(key, "latin1"));
}

/** Whether the file at `path` is an archive (a ZIP, or a Parquet file) whose rows an export deleted from the database. */
export function holdsDeletedRows(path: string): boolean {
  if (path.endsWith(".zip")) return zipComment(path)?.includes(DELETED_ROWS_COMMENT) === true;
  if (path.endsWith(".parquet")) return parquetFooterHas(path, DELETED_ROWS_PARQUET_KEY);
  return false;
}
