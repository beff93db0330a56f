import type { DuckDBConnection } from "../db/duckdb.ts";
import { PRICES } from "../pricing/catalogue.ts";
import type { ToolId } from "../shared/sources.ts";
import type { DiscoveredFile, SessionSource } from "../sources/types.ts";

/**
 * `outdated`: unchanged, but read by an older parser version (read again, to repair its rows); `transcripts`:
 * unchanged, read without the transcripts this run makes (read again, to add them); `repricing`: unchanged, but some of
 * its stored events have no cost and another price table read it (read again, to price them).
 */
type FileStatus = "new" | "modified" | "unchanged" | "outdated" | "transcripts" | "repricing";

export interface ClassifiedFile {
  file: DiscoveredFile;
  status: FileStatus;
}

/**
 * A file imported in full (`ai_observer_import_files`): size, mtimeMs, parser version (0: unknown), the price table
 * that read it where some of its stored events are unpriced (`""` otherwise), and whether it was read with its
 * transcripts.
 */
export type RecordedFile = [size: number, mtimeMs: number, parserVersion: number, unpricedBy: string, transcripts: boolean];

/** The files imported in full: tool → path → what was recorded. */
export type RecordedFiles = Partial<Record<ToolId, Record<string, RecordedFile>>>;

/**
 * What reads files now: a file read by another parser version, without the transcripts this run makes, or unpriced by
 * another price table, is read again.
 */
export interface ReaderVersions {
  parser: number;
  prices: string;
  transcripts: boolean;
}

export function readerVersions(source: SessionSource, transcripts: boolean): ReaderVersions {
  return { parser: source.parserVersion, prices: PRICES.id, transcripts };
}

export async function readRecordedFiles(connection: DuckDBConnection): Promise<RecordedFiles> {
  const reader = await connection.runAndReadAll(
    `SELECT f.tool, f.file_path, f.size, f.mtime_ms, coalesce(f.parser_version, 0),
            CASE WHEN u.file_path IS NULL THEN '' ELSE coalesce(f.prices, '') END, coalesce(f.transcripts, false)
     FROM ai_observer_import_files f
     LEFT JOIN (SELECT DISTINCT tool, file_path FROM ai_observer_import_events WHERE unpriced) u USING (tool, file_path)`,
  );
  const files: RecordedFiles = {};
  for (const [tool, path, size, mtime, version, unpricedBy, transcripts] of reader.getRows()) {
    const perTool = (files[tool as ToolId] ??= {});
    perTool[String(path)] = [Number(size), Number(mtime), Number(version), String(unpricedBy), transcripts === true];
  }
  return files;
}

/**
 * A file whose size and mtime are what we recorded is unchanged and is not read again, unless an older parser
 * version read it (`outdated`), or it left events unpriced under another price table (`repricing`).
 */
export function classifyFiles(files: readonly DiscoveredFile[], recorded: Record<string, RecordedFile> = {}, versions: ReaderVersions): ClassifiedFile[] {
  return files.map((file) => {
    const seen = recorded[file.path];
    if (!seen) return { file, status: "new" };
    if (seen[0] !== file.size || seen[1] !== file.mtimeMs) return { file, status: "modified" };
    if (seen[2] !== versions.parser) return { file, status: "outdated" };
    if (versions.transcripts && !seen[4]) return { file, status: "transcripts" };
    return { file, status: seen[3] !== "" && seen[3] !== versions.prices ? "repricing" : "unchanged" };
  });
}
