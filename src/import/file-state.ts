import type { DuckDBConnection } from "../db/duckdb.ts";
import type { ToolId } from "../sources.ts";
import type { DiscoveredFile } from "../sources/types.ts";

export type FileStatus = "new" | "modified" | "unchanged";

export interface ClassifiedFile {
  file: DiscoveredFile;
  status: FileStatus;
}

interface StoredFile {
  size: number;
  mtimeMs: number;
}

async function storedFiles(connection: DuckDBConnection, tool: ToolId): Promise<Map<string, StoredFile>> {
  const reader = await connection.runAndReadAll("SELECT file_path, size, mtime_ms FROM ai_observer_import_files WHERE tool = $tool", { tool });
  const stored = new Map<string, StoredFile>();
  for (const [path, size, mtime] of reader.getRows()) stored.set(String(path), { size: Number(size), mtimeMs: Number(mtime) });
  return stored;
}

/** A file whose size and mtime are what we recorded is unchanged and is not read again. */
export async function classifyFiles(connection: DuckDBConnection, tool: ToolId, files: readonly DiscoveredFile[]): Promise<ClassifiedFile[]> {
  const stored = await storedFiles(connection, tool);
  return files.map((file) => {
    const previous = stored.get(file.path);
    if (!previous) return { file, status: "new" };
    const same = previous.size === file.size && previous.mtimeMs === file.mtimeMs;
    return { file, status: same ? "unchanged" : "modified" };
  });
}
