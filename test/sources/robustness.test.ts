import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { claudeSource } from "../../src/sources/claude/index.ts";
import { codexSource } from "../../src/sources/codex/index.ts";
import { geminiSource } from "../../src/sources/gemini/index.ts";
import type { SessionSource } from "../../src/sources/types.ts";
import { parseAll, tempDir, tokenTotals } from "./helpers.ts";

const FIVE_MB = 5 * 1024 * 1024;
const BAD_UTF8 = Buffer.from([0xff, 0xfe, 0xc3]);
const MARK = "@@BYTES@@";

interface ToolCase {
  name: string;
  source: SessionSource;
  fileName: string;
  header: string[];
  /** A usage line with `n` input tokens (cumulative for Codex) and `text` somewhere in it. */
  usage(n: number, text: string): string;
  /** A huge line without usage (a tool result). */
  bulky(text: string): string;
  inputKey: string;
  /** The values passed to `usage`, in order; Codex values are cumulative. */
  inputs: number[];
  expectedInput: number;
  /**
   * Only lines the byte pre-filter selects are parsed, so only those can be bad: always the NUL-only line and the
   * array that names the needles; Codex also the truncated tail (its `"token_count"` comes early); Gemini parses
   * every record line, so also `42`, the bare string and the tail.
   */
  badLines: number;
}

const claudeLine = (n: number, text: string) =>
  JSON.stringify({
    type: "assistant",
    sessionId: "s1",
    timestamp: `2026-03-01T10:00:${String(n % 60).padStart(2, "0")}.000Z`,
    requestId: `req_${n}`,
    message: { id: `msg_${n}`, role: "assistant", model: "claude-sonnet-4-5", content: [{ type: "text", text }], usage: { input_tokens: n, output_tokens: 1 } },
  });

const codexLine = (n: number, text: string) =>
  JSON.stringify({
    timestamp: `2026-03-01T10:00:${String(n % 60).padStart(2, "0")}.000Z`,
    type: "event_msg",
    payload: { type: "token_count", note: text, info: { total_token_usage: { input_tokens: n, output_tokens: n, total_tokens: 2 * n } } },
  });

const geminiLine = (n: number, text: string) =>
  JSON.stringify({
    id: `m${n}`,
    timestamp: `2026-03-01T10:00:${String(n % 60).padStart(2, "0")}.000Z`,
    type: "gemini",
    content: text,
    model: "gemini-2.5-flash",
    tokens: { input: n, output: 1, cached: 0, thoughts: 0, tool: 0, total: n + 1 },
  });

const CASES: ToolCase[] = [
  {
    name: "claude-code",
    source: claudeSource,
    fileName: "33333333-3333-4333-8333-333333333333.jsonl",
    header: [JSON.stringify({ type: "summary", summary: "x", leafUuid: "y" })],
    usage: claudeLine,
    bulky: (text) => JSON.stringify({ type: "user", message: { role: "user", content: [{ type: "tool_result", content: text }] } }),
    inputKey: "token.usage|input|claude-sonnet-4-5",
    inputs: [1, 2, 4, 8, 16, 32],
    expectedInput: 31,
    badLines: 2,
  },
  {
    name: "codex",
    source: codexSource,
    fileName: "rollout-2026-03-01T10-00-00-robust.jsonl",
    header: [
      JSON.stringify({ timestamp: "2026-03-01T09:59:00.000Z", type: "session_meta", payload: { id: "robust", model: "gpt-5" } }),
    ],
    usage: codexLine,
    bulky: (text) => JSON.stringify({ timestamp: "2026-03-01T10:00:00.500Z", type: "response_item", payload: { type: "function_call_output", output: text } }),
    inputKey: "token.usage|input|gpt-5",
    inputs: [1, 3, 7, 15, 31, 63],
    expectedInput: 31,
    badLines: 3,
  },
  {
    name: "gemini",
    source: geminiSource,
    fileName: "session-2026-03-01T10-00-robust00.jsonl",
    header: [JSON.stringify({ sessionId: "robust", projectHash: "h", startTime: "2026-03-01T09:59:00.000Z" })],
    usage: geminiLine,
    bulky: (text) => JSON.stringify({ id: "u1", timestamp: "2026-03-01T10:00:00.500Z", type: "user", content: [{ text }] }),
    inputKey: "token.usage|input|gemini-2.5-flash",
    inputs: [1, 2, 4, 8, 16, 32],
    expectedInput: 31,
    badLines: 5,
  },
];

function buildFile(tool: ToolCase): { bytes: Buffer; truncated: number } {
  const [a, b, c, d, e, f] = tool.inputs as [number, number, number, number, number, number];
  const withBadBytes = tool.usage(c, `bad ${MARK} bytes`).split(MARK);
  const truncatedLine = tool.usage(f, "cut off mid-write");
  const truncated = Buffer.from(truncatedLine.slice(0, Math.floor(truncatedLine.length / 2)));
  const parts: Buffer[] = [
    ...tool.header.map((line) => Buffer.from(`${line}\n`)),
    Buffer.from(`${tool.usage(a, "plain")}\n`),
    Buffer.from("\0\0\0\0\0\0\n"), // a NUL-filled line after a crash
    Buffer.from(`\0\0\0${tool.usage(b, "glued after NULs")}\n`),
    Buffer.concat([Buffer.from(withBadBytes[0]!), BAD_UTF8, Buffer.from(`${withBadBytes[1]!}\n`)]),
    Buffer.from(`${tool.bulky("y".repeat(FIVE_MB))}\n`),
    Buffer.from(`${tool.usage(d, "z".repeat(FIVE_MB))}\n`),
    Buffer.from('["usage","assistant","token_count","tokens"]\n42\n"usage assistant token_count tokens"\n'),
    Buffer.from(`${tool.usage(e, "lone \\ud83d surrogate")}\n`),
    truncated,
  ];
  return { bytes: Buffer.concat(parts), truncated: truncated.length };
}

describe.each(CASES)("$name: one bad line never aborts a file", (tool) => {
  test("invalid UTF-8, NUL bytes, 5 MB lines, non-object JSON, lone surrogates and a truncated last line", async () => {
    const path = join(tempDir(`robust-${tool.name}`), tool.fileName);
    const { bytes, truncated } = buildFile(tool);
    writeFileSync(path, bytes);
    const [parsed] = await parseAll(tool.source, [path]);
    expect(tokenTotals([parsed!])[tool.inputKey]).toBe(tool.expectedInput);
    expect(parsed!.badLines).toBe(tool.badLines);
    expect(parsed!.bytes).toBe(bytes.length);
    expect(parsed!.completeBytes).toBe(bytes.length - truncated);
  });
});
