import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { DiscoveredTool } from "../staging/parse-run.ts";
import { classifyFiles, readerVersions, type RecordedFiles } from "./file-state.ts";

/**
 * A copy of `ai_observer_import_files` beside the database, stamped with the database file's
 * identity. While the database is unchanged since it was written, an import can tell that no
 * session file changed without starting DuckDB at all; any other write to the database (a
 * delete, the Go server, a restore) changes the stamp and the copy is ignored.
 */
interface FilesCache {
  version: 4;
  database: string;
  files: RecordedFiles;
}

function filesCachePath(databasePath: string): string {
  return `${databasePath}.import-files.json`;
}

/** Size, modification time (ns) and inode of the database file; null while a write-ahead log exists. */
function databaseStamp(databasePath: string): string | null {
  if (existsSync(`${databasePath}.wal`)) return null;
  const stats = statSync(databasePath, { bigint: true, throwIfNoEntry: false });
  return stats ? `${stats.size}:${stats.mtimeNs}:${stats.ino}` : null;
}

function readFilesCache(databasePath: string): FilesCache | null {
  try {
    const cache = JSON.parse(readFileSync(filesCachePath(databasePath), "utf8")) as FilesCache;
    const stamp = databaseStamp(databasePath);
    return cache.version === 4 && stamp !== null && cache.database === stamp ? cache : null;
  } catch {
    return null;
  }
}

/** True when every discovered file was imported in full before and has its recorded size and mtime. */
export function nothingChanged(databasePath: string, found: readonly DiscoveredTool[], transcripts: boolean): boolean {
  const cache = readFilesCache(databasePath);
  if (!cache) return false;
  return found.every((tool) => classifyFiles(tool.files, cache.files[tool.tool], readerVersions(tool.source, transcripts)).every((entry) => entry.status === "unchanged"));
}

/** Written after the database was closed, so that the stamp is the final one. Only a cache: failures are ignored. */
export function writeFilesCache(databasePath: string, files: RecordedFiles): void {
  const path = filesCachePath(databasePath);
  try {
    const stamp = databaseStamp(databasePath);
    if (stamp === null) return rmSync(path, { force: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: 4, database: stamp, files } satisfies FilesCache));
    renameSync(temporary, path);
  } catch {
    rmSync(path, { force: true });
  }
}
