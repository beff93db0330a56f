import { expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { claudeSource } from "../../src/sources/claude/index.ts";
import { codexSource } from "../../src/sources/codex/index.ts";
import type { Text } from "../../src/sources/shared/text.ts";
import type { ParsedFile, SessionSource } from "../../src/sources/types.ts";
import { FIXTURES, SAMPLES, parseAll } from "./helpers.ts";

function jsonlFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".jsonl"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** What a parse made, texts as well-formed strings (a text read as bytes has U+FFFD where a lone surrogate was). */
function made(files: ParsedFile[]) {
  const text = (value: Text) => String(value).toWellFormed();
  return files.map(({ path, lines, badLines, unknownUsage, firstTime, lastTime, events }) => ({
    path,
    lines,
    badLines,
    unknownUsage,
    firstTime,
    lastTime,
    events: events.map((event) => ({
      ...event,
      logs: event.logs.map((row) => ({ ...row, body: text(row.body), attributes: Object.fromEntries(Object.entries(row.attributes).map(([key, value]) => [key, text(value)])) })),
    })),
  }));
}

// A consumer that reads one of these keys without taking the string back (LargeStrings.text, string, materialize) would
// see a placeholder: with every such string left out of the parse, nothing may change.
const cases: [string, SessionSource, string, string, number][] = [
  ["Claude", claudeSource, "claude", "claude-code", 20],
  ["Codex", codexSource, "codex", "codex", 5],
];
test.each(cases)(
  "%s transcripts: every value of the keys read from bytes left out of the parse gives the same events, rows and stats (fixtures and samples)",
  async (_name, source, fixtures, samplesFolder, minimumAsBytes) => {
    const files = jsonlFiles(join(FIXTURES, fixtures));
    const samples = join(SAMPLES, samplesFolder);
    if (existsSync(samples)) files.push(...jsonlFiles(samples));
    else console.warn(`${samples} is missing: the fixtures alone are compared`);
    expect(files.length).toBeGreaterThan(5);
    const whole = await parseAll(source, files, { transcripts: true, largeStrings: { minLine: Number.POSITIVE_INFINITY } });
    const leftOut = await parseAll(source, files, { transcripts: true, largeStrings: { minLine: 0, minString: 0 } });
    // The byte path was taken (texts as bytes), and not in the whole parse.
    const asBytes = (parsed: ParsedFile[]) => parsed.flatMap((file) => file.events.flatMap((event) => event.logs)).filter((row) => typeof row.body !== "string").length;
    expect(asBytes(leftOut)).toBeGreaterThan(minimumAsBytes);
    expect(asBytes(whole)).toBe(0);
    expect(made(leftOut)).toEqual(made(whole));
  },
);
