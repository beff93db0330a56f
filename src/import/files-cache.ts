import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { DuckDBConnection } from "../db/duckdb.ts";
import type { ToolId } from "../sources.ts";
import type { DiscoveredTool } from "../sources/load-sessions.ts";

/**
 * A copy of `ai_observer_import_files` beside the database, stamped with the database file's
 * identity. While the database is unchanged since it was written, an import can tell that no
 * session file changed without starting DuckDB at all; any other write to the database (a
 * delete, the Go server, a restore) changes the stamp and the copy is ignored.
 */
interface FilesCache {
  version: 1;
  database: string;
  /** tool → path → [size, mtimeMs] */
  files: Partial<Record<ToolId, Record<string, [number, number]>>>;
}

export function filesCachePath(databasePath: string): string {
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
    return cache.version === 1 && stamp !== null && cache.database === stamp ? cache : null;
  } catch {
    return null;
  }
}

/** True when every discovered file was imported in full before and has its recorded size and mtime. */
export function nothingChanged(databasePath: string, found: readonly DiscoveredTool[]): boolean {
  const cache = readFilesCache(databasePath);
  if (!cache) return false;
  return found.every((tool) => {
    const recorded = cache.files[tool.tool] ?? {};
    return tool.files.every((file) => {
      const seen = recorded[file.path];
      return seen !== undefined && seen[0] === file.size && seen[1] === file.mtimeMs;
    });
  });
}

export async function readRecordedFiles(connection: DuckDBConnection): Promise<FilesCache["files"]> {
  const reader = await connection.runAndReadAll("SELECT tool, file_path, size, mtime_ms FROM ai_observer_import_files");
  const files: FilesCache["files"] = {};
  for (const [tool, path, size, mtime] of reader.getRows()) {
    const perTool = (files[tool as ToolId] ??= {});
    perTool[String(path)] = [Number(size), Number(mtime)];
  }
  return files;
}

/** Written after the database was closed, so that the stamp is the final one. Only a cache: failures are ignored. */
export function writeFilesCache(databasePath: string, files: FilesCache["files"]): void {
  const path = filesCachePath(databasePath);
  try {
    const stamp = databaseStamp(databasePath);
    if (stamp === null) return rmSync(path, { force: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: 1, database: stamp, files } satisfies FilesCache));
    renameSync(temporary, path);
  } catch {
    rmSync(path, { force: true });
  }
}
