/**
 * The usage floor: about the least a Bun program does to get ccusage's answer (token totals by day) from Claude Code
 * session files, for the benchmark (bench/run.ts) to time beside our usage export and ccusage. A worker reads and
 * selects the lines as our export's prefetch does (worker.ts); this thread parses each selected line with
 * `JSON.parse`, keeps the largest copy of each response and sums. No rows, no Parquet, no file written; only the
 * traps that change the totals are handled (copies, subagent replays, `<synthetic>`, bad lines).
 *
 *   bun bench/usage-floor/main.ts <projects folder>   (or the executable bench/run.ts compiles from it)
 *
 * Prints {"input":…, "output":…, "cacheCreation":…, "cacheRead":…, "responses":…, "days":…}.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { cacheCreationTokens } from "../../src/sources/claude/parse.ts";
import type { FloorFile } from "./worker.ts";

interface Copy {
  day: string;
  rank: number;
  tokens: [number, number, number, number];
}

const MAIN_THREAD_RANK = 2 ** 40;

function sessionFiles(dir: string, into: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sessionFiles(path, into);
    else if (entry.name.endsWith(".jsonl")) into.push(path);
  }
  return into;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function count(usage: Record<string, unknown>, field: string): number {
  const value = usage[field];
  return typeof value === "number" ? value : 0;
}

/** The response a line holds, with its key; null for any other line. */
function responseOf(text: string): { key: string; copy: Copy } | null {
  let line: Record<string, unknown> | null;
  try {
    line = record(JSON.parse(text));
  } catch {
    return null;
  }
  const message = record(line?.["message"]);
  const usage = record(message?.["usage"]);
  if (line === null || message === null || usage === null || line["type"] !== "assistant" || message["model"] === "<synthetic>") return null;
  const timestamp = line["timestamp"];
  const key = message["id"] || line["uuid"];
  if (typeof timestamp !== "string" || typeof key !== "string") return null;
  const tokens: Copy["tokens"] = [count(usage, "input_tokens"), count(usage, "output_tokens"), cacheCreationTokens(usage), count(usage, "cache_read_input_tokens")];
  const rank = (line["isSidechain"] === true ? 0 : MAIN_THREAD_RANK) + tokens[0] + tokens[1] + tokens[2] + tokens[3];
  return { key, copy: { day: timestamp.slice(0, 10), rank, tokens } };
}

const paths = sessionFiles(process.argv[2] ?? ".");
const best = new Map<string, Copy>();
const worker = new Worker(new URL("./worker.ts", import.meta.url).href);
let received = 0;

function report(): void {
  const days = new Map<string, number[]>();
  for (const { day, tokens } of best.values()) {
    const sums = days.get(day) ?? [0, 0, 0, 0];
    tokens.forEach((value, i) => (sums[i] = (sums[i] as number) + value));
    days.set(day, sums);
  }
  const total = (i: number) => [...days.values()].reduce((sum, sums) => sum + (sums[i] as number), 0);
  console.log(JSON.stringify({ input: total(0), output: total(1), cacheCreation: total(2), cacheRead: total(3), responses: best.size, days: days.size }));
  worker.terminate();
}

worker.onerror = (event) => {
  console.error(`usage floor: the reading worker failed: ${event.message}`);
  process.exit(1);
};
worker.onmessage = (event: MessageEvent<FloorFile>) => {
  const { ends } = event.data;
  const pieces = Buffer.from(event.data.pieces.buffer, event.data.pieces.byteOffset, event.data.pieces.length);
  let start = 0;
  for (const end of ends) {
    const response = responseOf(pieces.toString("latin1", start, end));
    start = end;
    if (response === null) continue;
    const kept = best.get(response.key);
    if (kept === undefined || response.copy.rank > kept.rank) best.set(response.key, response.copy);
  }
  if (++received === paths.length) report();
};
if (paths.length === 0) report();
else worker.postMessage({ paths });
