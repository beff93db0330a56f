import type { DuckDBConnection } from "../db/duckdb.ts";
import type { ToolId } from "../sources.ts";
import type { DiscoveredFile } from "../sources/types.ts";

export type FileStatus = "new" | "modified" | "unchanged";

export interface ClassifiedFile {
  file: DiscoveredFile;
  status: FileStatus;
}

/** The files imported in full (`ai_observer_import_files`): tool → path → [size, mtimeMs]. */
export type RecordedFiles = Partial<Record<ToolId, Record<string, [number, number]>>>;

export async function readRecordedFiles(connection: DuckDBConnection): Promise<RecordedFiles> {
  const reader = await connection.runAndReadAll("SELECT tool, file_path, size, mtime_ms FROM ai_observer_import_files");
  const files: RecordedFiles = {};
  for (const [tool, path, size, mtime] of reader.getRows()) {
    const perTool = (files[tool as ToolId] ??= {});
    perTool[String(path)] = [Number(size), Number(mtime)];
  }
  return files;
}

/** A file whose size and mtime are what we recorded is unchanged and is not read again. */
export function classifyFiles(files: readonly DiscoveredFile[], recorded: Record<string, [number, number]> = {}): ClassifiedFile[] {
  return files.map((file) => {
    const seen = recorded[file.path];
    if (!seen) return { file, status: "new" };
    return { file, status: seen[0] === file.size && seen[1] === file.mtimeMs ? "unchanged" : "modified" };
  });
}
