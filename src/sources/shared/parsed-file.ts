import type { ToolId } from "../../shared/sources.ts";
import type { ParsedFile, UsageEvent } from "../types.ts";
import type { GoFootprint } from "./go-footprint.ts";
import type { JsonlStats } from "./jsonl.ts";

/** Assembles a ParsedFile; the time range is that of the rows produced. */
export function parsedFile(
  path: string,
  tool: ToolId,
  sessionId: string | null,
  events: UsageEvent[],
  stats: JsonlStats,
  unknownUsage = 0,
  footprint: GoFootprint | null = null,
): ParsedFile {
  let firstTime: string | null = null;
  let lastTime: string | null = null;
  for (const event of events) {
    if (event.logs.length === 0 && event.metrics.length === 0) continue;
    if (firstTime === null || event.timestamp < firstTime) firstTime = event.timestamp;
    if (lastTime === null || event.timestamp > lastTime) lastTime = event.timestamp;
  }
  const parsed: ParsedFile = { path, tool, sessionId, events, firstTime, lastTime, ...stats, unknownUsage };
  if (footprint) parsed.goFootprint = footprint.finish();
  return parsed;
}
