import { dlopen, FFIType } from "bun:ffi";
import { closeSync, fsyncSync, openSync } from "node:fs";

function fsyncPath(path: string, flags: string): void {
  const fd = openSync(path, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a file's data to the disk (fsync), so that it survives a power loss. Windows flushes only a handle open
 * for writing (FlushFileBuffers), so the file is opened so there.
 */
export function syncFile(path: string): void {
  fsyncPath(path, process.platform === "win32" ? "r+" : "r");
}

/**
 * Writes a folder's entries to the disk, so that files created, renamed or removed in it stay so after a power
 * loss. Windows cannot open a folder as a file, and its file system journals renames itself: nothing to do there.
 */
export function syncFolder(path: string): void {
  if (process.platform === "win32") return;
  fsyncPath(path, "r");
}

const POSIX_FADV_DONTNEED = 4;

/**
 * Linux: drops a synced file's pages from the page cache (`posix_fadvise(DONTNEED)`; they are clean after an
 * fsync), so that reading it again reads what is on the disk, not what this process wrote into memory. Elsewhere,
 * and where libc cannot be loaded, nothing happens (macOS and Windows have no call that drops cached pages).
 */
export function dropCachedPages(path: string): void {
  if (process.platform !== "linux") return;
  let libc;
  try {
    libc = dlopen("libc.so.6", { posix_fadvise: { args: [FFIType.i32, FFIType.i64, FFIType.i64, FFIType.i32], returns: FFIType.i32 } });
  } catch {
    return;
  }
  const fd = openSync(path, "r");
  try {
    libc.symbols.posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  } finally {
    closeSync(fd);
    libc.close();
  }
}
