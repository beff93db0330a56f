import { scanLines } from "./byte-source.ts";
import { parseJsonObject, type JsonObject } from "./json.ts";

export interface JsonlHandler {
  /**
   * Byte pre-filter, called on the raw line: only lines for which it returns true are decoded and parsed, so huge
   * lines without usage are never decoded. Use `Buffer.indexOf` of a needle such as `"usage"`.
   */
  wants(line: Buffer): boolean;
  record(value: JsonObject): void;
}

export interface JsonlStats {
  lines: number;
  badLines: number;
  bytes: number;
  completeBytes: number;
}

const SPACE = new Set([0x20, 0x09, 0x0d, 0x0a]);

function trim(bytes: Buffer): Buffer {
  let start = 0;
  let end = bytes.length;
  while (start < end && SPACE.has(bytes[start] ?? 0)) start++;
  while (end > start && SPACE.has(bytes[end - 1] ?? 0)) end--;
  return bytes.subarray(start, end);
}

/** A crash can leave NUL runs, with the next record glued to garbage: each NUL-free piece is tried on its own. */
function pieces(line: Buffer): Buffer[] {
  if (line.indexOf(0) < 0) return [trim(line)];
  const parts: Buffer[] = [];
  let start = 0;
  for (let nul = line.indexOf(0); nul >= 0; nul = line.indexOf(0, start)) {
    parts.push(trim(line.subarray(start, nul)));
    start = nul + 1;
  }
  parts.push(trim(line.subarray(start)));
  return parts.filter((part) => part.length > 0);
}

/**
 * Streams a JSONL file: lossy UTF-8 per line, NUL-tolerant, any line length. A line that does not parse, or is
 * not a JSON object, is counted in `badLines` and skipped; it never aborts the file.
 */
export async function scanJsonl(path: string, handler: JsonlHandler, signal?: AbortSignal): Promise<JsonlStats> {
  const stats: JsonlStats = { lines: 0, badLines: 0, bytes: 0, completeBytes: 0 };
  let offset = 0;
  stats.bytes = await scanLines(
    path,
    (line, terminated) => {
      const start = offset;
      offset += line.length + (terminated ? 1 : 0);
      const parts = pieces(line);
      if (parts.length === 0) {
        if (line.indexOf(0) >= 0) {
          stats.lines++;
          stats.badLines++;
        }
        if (terminated) stats.completeBytes = offset;
        return;
      }
      stats.lines++;
      let parsedAll = true;
      for (const part of parts) {
        if (!handler.wants(part)) {
          parsedAll = false;
          continue;
        }
        const value = parseJsonObject(part);
        if (value) handler.record(value);
        else {
          stats.badLines++;
          parsedAll = false;
        }
      }
      stats.completeBytes = terminated || parsedAll ? offset : start;
    },
    signal,
  );
  return stats;
}
