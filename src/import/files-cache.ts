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

/**
 * The discovered files an import reads, by the cache: those not imported in full before with their recorded size and
 * mtime (how many, and their bytes); `known` false where there is no valid cache, and then every file counts.
 */
export function filesToRead(databasePath: string, found: readonly DiscoveredTool[], transcripts: boolean): { known: boolean; files: number; bytes: number } {
  const cache = readFilesCache(databasePath);
  const changes = { known: cache !== null, files: 0, bytes: 0 };
  for (const tool of found) {
    const entries = cache ? classifyFiles(tool.files, cache.files[tool.tool], readerVersions(tool.source, transcripts)) : tool.files.map((file) => ({ file, status: "new" }));
    for (const { file, status } of entries) {
      if (status === "unchanged") continue;
      changes.files++;
      changes.bytes += file.size;
    }
  }
  return changes;
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
