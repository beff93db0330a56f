import type { ParsedFile, UsageEvent } from "../../src/sources/types.ts";

/** A parsed Claude file `/f<f>.jsonl` of `count` events, event `i` made by `event(f, i)`: staging's input without a parse. */
export function parsedFile(f: number, count: number, event: (f: number, i: number) => UsageEvent): ParsedFile {
  const events = Array.from({ length: count }, (_, i) => event(f, i));
  return { path: `/f${f}.jsonl`, tool: "claude-code", sessionId: null, events, firstTime: null, lastTime: null, badLines: 0, unknownUsage: 0, lines: count, bytes: 0, completeBytes: 0, sha256: "" };
}
