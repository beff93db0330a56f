import { formatBytes, formatCount, formatSeconds } from "../format.ts";
import type { FileSummary } from "../staging/staged-file.ts";

/** The `--verbose` line for each session file read. */
export function renderParsedFile(tool: string, file: FileSummary, ms: number): string {
  return `  [${tool}] ${file.path}: ${formatCount(file.eventCount)} events, ${formatBytes(file.bytes)}, ${formatSeconds(ms)}\n`;
}
