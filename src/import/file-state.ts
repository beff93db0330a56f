import type { DuckDBConnection } from "../db/duckdb.ts";
import type { ToolId } from "../sources.ts";
import type { DiscoveredFile } from "../sources/types.ts";

/** `outdated`: unchanged, but read by an older parser version (read again, to repair its rows). */
export type FileStatus = "new" | "modified" | "unchanged" | "outdated";

export interface ClassifiedFile {
  file: DiscoveredFile;
  status: FileStatus;
}

/** The files imported in full (`ai_observer_import_files`): tool → path → [size, mtimeMs, parser version (0: unknown)]. */
export type RecordedFiles = Partial<Record<ToolId, Record<string, [number, number, number]>>>;

export async function readRecordedFiles(connection: DuckDBConnection): Promise<RecordedFiles> {
  const reader = await connection.runAndReadAll("SELECT tool, file_path, size, mtime_ms, coalesce(parser_version, 0) FROM ai_observer_import_files");
  const files: RecordedFiles = {};
  for (const [tool, path, size, mtime, version] of reader.getRows()) {
    const perTool = (files[tool as ToolId] ??= {});
    perTool[String(path)] = [Number(size), Number(mtime), Number(version)];
  }
  return files;
}

/**
 * A file whose size and mtime are what we recorded is unchanged and is not read again, unless an older parser
 * version read it (`outdated`).
 */
export function classifyFiles(files: readonly DiscoveredFile[], recorded: Record<string, [number, number, number]> = {}, parserVersion: number): ClassifiedFile[] {
  return files.map((file) => {
    const seen = recorded[file.path];
    if (!seen) return { file, status: "new" };
    if (seen[0] !== file.size || seen[1] !== file.mtimeMs) return { file, status: "modified" };
    return { file, status: seen[2] === parserVersion ? "unchanged" : "outdated" };
  });
}
