import { type Dirent, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fsReason } from "../../shared/fs-errors.ts";
import type { Discovery, DiscoveredFile, FileFailure } from "../types.ts";
import { compareCodePoints } from "./attributes.ts";

export type FileFilter = (path: string, name: string) => boolean;

/** A file or folder that vanished while it was listed is no failure; anything else that stops reading it is. */
function failure(path: string, error: unknown, failed: FileFailure[]): void {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") failed.push({ path, reason: fsReason(error) });
}

function entries(dir: string, failed: FileFailure[]): Dirent[] {
  try {
    const list = readdirSync(dir, { withFileTypes: true });
    return list.sort((a, b) => compareCodePoints(a.name, b.name));
  } catch (error) {
    failure(dir, error, failed);
    return [];
  }
}

function fileInfo(path: string, failed: FileFailure[]): DiscoveredFile | null {
  try {
    const info = statSync(path);
    return info.isFile() ? { path, size: info.size, mtimeMs: info.mtimeMs } : null;
  } catch (error) {
    failure(path, error, failed);
    return null;
  }
}

function walkDir(dir: string, accept: FileFilter, seen: Set<string>, found: Discovery): void {
  for (const entry of entries(dir, found.failed)) {
    const path = join(dir, entry.name);
    // Symlinked directories are not followed (no cycles), as in Go's filepath.Walk; symlinked files are.
    if (entry.isDirectory()) {
      walkDir(path, accept, seen, found);
      continue;
    }
    if (!accept(path, entry.name) || seen.has(path)) continue;
    const file = fileInfo(path, found.failed);
    if (file) {
      seen.add(path);
      found.files.push(file);
    }
  }
}

/**
 * Files under each root, recursively, in lexical order; roots in the order given. A file reachable from two roots is
 * listed once. A folder (or file) that cannot be read is a failure, and so is a missing root when `required` names why
 * it must be there (the setting that named it); a missing default root (the agent is not installed) is not.
 *
 * The listing and the `stat`s are synchronous: each awaited call is a round trip through the thread pool, and the 256
 * calls for 400 MB of Claude sessions took 35-60 ms of the main thread before the parse could begin (now a few ms).
 */
export async function walkFiles(roots: string[], accept: FileFilter, required?: string): Promise<Discovery> {
  const found: Discovery = { files: [], failed: [] };
  const seen = new Set<string>();
  for (const root of roots) {
    const path = resolve(root);
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") failure(path, error, found.failed);
      else if (required) found.failed.push({ path, reason: `no such folder (named by ${required})` });
      continue;
    }
    if (isFolder) walkDir(path, accept, seen, found);
    else if (required) found.failed.push({ path, reason: `not a folder (named by ${required})` });
  }
  return found;
}
