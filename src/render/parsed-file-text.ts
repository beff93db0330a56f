import { formatBytes, formatCount, formatSeconds } from "../shared/format.ts";
import type { ParsedOn } from "../staging/parse-one.ts";
import type { FileSummary } from "../staging/staged-file.ts";

/** The `--verbose` line for each session file read. */
export function renderParsedFile(tool: string, file: FileSummary, ms: number, on: ParsedOn = "here"): string {
  const thread = on === "worker" ? " (parse worker)" : on === "prefetch" ? " (lines read on the scan worker)" : "";
  return `  [${tool}] ${file.path}: ${formatCount(file.eventCount)} events, ${formatBytes(file.bytes)}, ${formatSeconds(ms)}${thread}\n`;
}
