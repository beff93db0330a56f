import type { ParsedFile } from "./types.ts";

/** Lines with usage in a shape the parsers do not know (`ParsedFile.unknownUsage`), and the files that have them. */
export interface UnknownUsage {
  lines: number;
  files: string[];
}

export function noUnknownUsage(): UnknownUsage {
  return { lines: 0, files: [] };
}

/** Counts `file`'s lines of unknown usage into `tally`, naming the file when it has any. */
export function addUnknownUsage(tally: UnknownUsage, file: Pick<ParsedFile, "path" | "unknownUsage">): void {
  if (file.unknownUsage === 0) return;
  tally.lines += file.unknownUsage;
  tally.files.push(file.path);
}
