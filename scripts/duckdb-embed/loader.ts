/**
 * Run-time half of the DuckDB embedding (the build-time half is `scripts/duckdb-embed-plugin.ts`).
 *
 * In a compiled executable `@duckdb/node-bindings` is replaced by a generated module that embeds
 * `duckdb.node` and the DuckDB library it links against as file assets and calls
 * `loadEmbeddedBinding`. The two files are written once into a per-user cache folder whose name
 * holds the DuckDB version, the platform and a hash of the files, then `duckdb.node` is loaded
 * from there. The library must lie in the same folder: `duckdb.node` finds it through
 * RUNPATH `$ORIGIN` (Linux), `@rpath` = `@loader_path` (macOS), and on Windows because Bun's
 * `process.dlopen` calls `LoadLibraryExW(..., LOAD_WITH_ALTERED_SEARCH_PATH)`, which searches
 * the folder of the module being loaded for its dependencies.
 *
 * Never imported under `bun run` or `bun test`: only the build plugin references this file.
 */
import { lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheRoot } from "../../src/shared/cache-dir.ts";

export interface EmbeddedFile {
  /** Path of the embedded asset (`/$bunfs/...`, or `B:/~BUN/...` on Windows). */
  path: string;
  /** File name in the cache folder. */
  name: string;
  /** Its size as written out (decompressed). */
  size: number;
  /** The asset is compressed with zstd (the library: 67 MB → 19 MB on Linux x64). */
  zstd?: boolean;
}

export interface EmbeddedBindingSpec {
  /** Folder name inside the cache root: `duckdb-<version>-<os>-<arch>-<hash>`. */
  cacheKey: string;
  /** The library `duckdb.node` links against; written first. */
  library: EmbeddedFile;
  addon: EmbeddedFile;
}

export { cacheRoot };

/**
 * Writes `source` to `target` unless a file of the expected size is already there; true when it
 * wrote. The data is written to a unique temporary name in the same folder and renamed into place,
 * so a concurrent first run never sees a half-written library. `copyFileSync` cannot read the
 * embedded `/$bunfs/` paths (ENOENT), `readFileSync` can (a copy of the whole file: see
 * `loadEmbeddedBinding`).
 */
export function materialize(source: string, target: string, expectedSize: number, zstd = false): boolean {
  if (sizeOf(target) === expectedSize) return false;
  const data = zstd ? Bun.zstdDecompressSync(readFileSync(source)) : readFileSync(source);
  if (data.length !== expectedSize) {
    throw new Error(`embedded ${source} has ${data.length} bytes, expected ${expectedSize}`);
  }
  const temp = `${target}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(temp, data, { mode: 0o755 });
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    // Windows refuses to replace a DLL another process has loaded: that one is complete.
    if (sizeOf(target) !== expectedSize) throw error;
  }
  return true;
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** Creates the cache folder; when the per-user one cannot be written, a private one in the temp folder. */
export function prepareFolder(cacheKey: string, root: string = cacheRoot()): string {
  const folder = join(root, cacheKey);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    return folder;
  } catch (error) {
    const fallback = join(tmpdir(), `ai-observer-${userTag()}`, cacheKey);
    try {
      mkdirSync(fallback, { recursive: true, mode: 0o700 });
    } catch {
      throw error;
    }
    assertPrivate(join(tmpdir(), `ai-observer-${userTag()}`));
    return fallback;
  }
}

function userTag(): string {
  return typeof process.getuid === "function" ? String(process.getuid()) : (process.env.USERNAME ?? "user");
}

/** A shared temp folder could have been prepared by another user to plant a library. */
function assertPrivate(folder: string): void {
  if (process.platform === "win32" || typeof process.getuid !== "function") return;
  const stat = lstatSync(folder);
  if (!stat.isDirectory() || stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0) {
    throw new Error(`refusing to load DuckDB from ${folder}: not a private folder owned by this user`);
  }
}

export function loadEmbeddedBinding(spec: EmbeddedBindingSpec): unknown {
  const folder = prepareFolder(spec.cacheKey);
  const wroteLibrary = materialize(spec.library.path, join(folder, spec.library.name), spec.library.size, spec.library.zstd === true);
  const addonPath = join(folder, spec.addon.name);
  const wroteAddon = materialize(spec.addon.path, addonPath, spec.addon.size, spec.addon.zstd === true);
  // The bytes read and decompressed (~90 MB on Linux) are garbage now, but a thread whose heap stays small collects
  // rarely: a first run would keep them to its end.
  if (wroteLibrary || wroteAddon) Bun.gc(true);
  try {
    return dlopenAddon(addonPath);
  } catch (error) {
    if (process.platform !== "win32") throw error;
    // Belt and braces for Windows: once duckdb.dll is loaded by full path, the loader resolves
    // duckdb.node's import of "duckdb.dll" to it whatever the search order.
    preloadLibrary(join(folder, spec.library.name));
    return dlopenAddon(addonPath);
  }
}

function dlopenAddon(path: string): unknown {
  const module = { exports: {} as unknown };
  process.dlopen(module, path);
  return module.exports;
}

/** Kept for the life of the process so the preloaded DLL is never unloaded. */
const preloaded: unknown[] = [];

function preloadLibrary(path: string): void {
  // bun:ffi wants at least one symbol.
  const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi");
  preloaded.push(dlopen(path, { duckdb_library_version: { args: [], returns: FFIType.cstring } }));
}
