import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DiscoveredFile } from "../types.ts";
import { compareCodePoints } from "./attributes.ts";

export type FileFilter = (path: string, name: string) => boolean;

async function entries(dir: string): Promise<Dirent[]> {
  try {
    const list = await readdir(dir, { withFileTypes: true });
    return list.sort((a, b) => compareCodePoints(a.name, b.name));
  } catch {
    return [];
  }
}

async function fileInfo(path: string): Promise<DiscoveredFile | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size, mtimeMs: info.mtimeMs } : null;
  } catch {
    return null;
  }
}

async function walkDir(dir: string, accept: FileFilter, seen: Set<string>, out: DiscoveredFile[]): Promise<void> {
  for (const entry of await entries(dir)) {
    const path = join(dir, entry.name);
    // Symlinked directories are not followed (no cycles), as in Go's filepath.Walk; symlinked files are.
    if (entry.isDirectory()) {
      await walkDir(path, accept, seen, out);
      continue;
    }
    if (!accept(path, entry.name) || seen.has(path)) continue;
    const file = await fileInfo(path);
    if (file) {
      seen.add(path);
      out.push(file);
    }
  }
}

/**
 * Files under each root, recursively, in lexical order; roots in the order given. Missing or unreadable
 * directories are skipped silently. A file reachable from two roots is listed once.
 */
export async function walkFiles(roots: string[], accept: FileFilter): Promise<DiscoveredFile[]> {
  const out: DiscoveredFile[] = [];
  const seen = new Set<string>();
  for (const root of roots) {
    const path = resolve(root);
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) await walkDir(path, accept, seen, out);
  }
  return out;
}
