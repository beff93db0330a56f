import { formatBytes, formatCount, formatSeconds } from "../format.ts";
import type { ParsedFile } from "../sources/types.ts";

/** The `--verbose` line for each session file read. */
export function renderParsedFile(tool: string, file: ParsedFile, ms: number): string {
  return `  [${tool}] ${file.path}: ${formatCount(file.events.length)} events, ${formatBytes(file.bytes)}, ${formatSeconds(ms)}\n`;
}
