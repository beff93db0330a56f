import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeEvents } from "../../src/sources/shared/merge.ts";
import type { DiscoveredFile, LogRow, MetricRow, ParseContext, ParsedFile, SessionSource } from "../../src/sources/types.ts";
import type { Text } from "../../src/sources/shared/text.ts";

export const SAMPLES = join(import.meta.dir, "../../../shared/samples");
export const FIXTURES = join(import.meta.dir, "../fixtures");

export function discovered(path: string): DiscoveredFile {
  return { path, size: 0, mtimeMs: 0 };
}

export async function parseAll(source: SessionSource, paths: string[], context: ParseContext = {}): Promise<ParsedFile[]> {
  const parsed: ParsedFile[] = [];
  for (const path of paths) parsed.push(await source.parseFile(discovered(path), context));
  return parsed;
}

/** A parse that also makes the transcript rows. */
export const WITH_TRANSCRIPTS: ParseContext = { transcripts: true };

/** Sums metric values by `<metric name without service prefix>|<type>|<model>`, e.g. `token.usage|output|gpt-5`. */
export function totals(metrics: MetricRow[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const row of metrics) {
    const name = row.metricName.slice(row.metricName.indexOf(".") + 1);
    const key = `${name}|${row.attributes["type"] ?? ""}|${row.attributes["model"] ?? ""}`;
    sums[key] = (sums[key] ?? 0) + row.value;
  }
  return sums;
}

export function mergedTotals(files: ParsedFile[]): Record<string, number> {
  return totals(mergeEvents(files).metrics);
}

/** Token totals only (cost keys dropped), for exact comparisons. */
export function tokenTotals(files: ParsedFile[]): Record<string, number> {
  return Object.fromEntries(Object.entries(mergedTotals(files)).filter(([key]) => key.startsWith("token.usage|")));
}

export function costTotal(files: ParsedFile[]): number {
  return Object.entries(mergedTotals(files))
    .filter(([key]) => key.startsWith("cost.usage|"))
    .reduce((sum, [, value]) => sum + value, 0);
}

export function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(process.env["AI_OBSERVER_TEST_TMP"] ?? tmpdir(), `${prefix}-`));
}

/** A `transcript.message` log row (the conversation, beside the usage rows). */
export function isTranscriptRow(row: { attributes: Record<string, Text> }): boolean {
  return row.attributes["event.name"] === "transcript.message";
}


/** A file's transcript rows (parsed with transcripts), and the attributes every one of them has for `session`. */
export async function transcriptOf(source: SessionSource, path: string, session: string): Promise<{ rows: LogRow[]; common: Record<string, string> }> {
  const rows = mergeEvents(await parseAll(source, [path], WITH_TRANSCRIPTS)).logs.filter(isTranscriptRow);
  return { rows, common: { "event.name": "transcript.message", "session.id": session, import_source: "local_jsonl" } };
}
