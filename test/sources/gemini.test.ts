import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { geminiSource } from "../../src/sources/gemini/index.ts";
import { geminiRoots } from "../../src/sources/gemini/paths.ts";
import { mergeEvents } from "../../src/sources/shared/merge.ts";
import type { ParseContext } from "../../src/sources/types.ts";
import { FIXTURES, SAMPLES, costTotal, isTranscriptRow, parseAll, permutations, tempDir, tokenTotals, transcriptOf, WITH_TRANSCRIPTS } from "./helpers.ts";

const FLASH_3 = "gemini-3-flash-preview";
const PRO_31 = "gemini-3.1-pro-preview";

describe("Gemini samples", () => {
  test("JSONL log (≥0.39): last record per message id, totals as gemini.expected.json", async () => {
    const parsed = await parseAll(geminiSource, [join(SAMPLES, "gemini/vibecodingtracker/gemini.jsonl")]);
    const expected = (await Bun.file(join(SAMPLES, "gemini/vibecodingtracker/gemini.expected.json")).json()) as {
      records: { conversationUsage: Record<string, Record<string, number>> }[];
    };
    const usage = expected.records[0]!.conversationUsage;
    const tokens = tokenTotals(parsed);
    for (const model of [FLASH_3, PRO_31]) {
      const want = usage[model]!;
      // The expected file splits input into uncached + cache read; our `input` row is gemini-cli's own (cache included).
      expect(tokens[`token.usage|input|${model}`]).toBe(want["input_tokens"]! + want["cache_read_input_tokens"]!);
      expect(tokens[`token.usage|cached|${model}`]).toBe(want["cache_read_input_tokens"] || undefined);
      expect(tokens[`token.usage|output|${model}`]).toBe(want["output_tokens"]!);
      expect(tokens[`token.usage|thoughts|${model}`]).toBe(want["thoughts_tokens"]!);
    }
    const merged = mergeEvents(parsed);
    expect(merged.logs).toHaveLength(11);
    expect(merged.unpricedModels).toEqual([]); // PRO_31 is priced since the LiteLLM catalogue
    expect(parsed[0]!.badLines).toBe(0);
  });

  test.each([
    ["vibecodingtracker/0247fb6/test_conversation_gemini.json", 19, { "token.usage|input|gemini-2.5-pro": 466642, "token.usage|output|gemini-2.5-pro": 3302 }],
    ["vibecodingtracker/f1f04cc/test_conversation_gemini.json", 14, { "token.usage|cached|gemini-2.5-pro": 121305, "token.usage|thoughts|gemini-2.5-pro": 1546 }],
    ["vibecodingtracker/894772f/test_conversation_gemini.json", 4, { "token.usage|output|gemini-3.1-pro-preview-customtools": 9325 }],
    ["agtrace/gemini_session.json", 9, { "token.usage|input|gemini-2.5-flash": 67273, "token.usage|output|gemini-2.5-flash": 300 }],
    ["agent-sessions/stage0/jsonl_v040.jsonl", 3, { "token.usage|input|gemini-3-flash-preview": 23924 }],
    ["agent-sessions/stage0/large.json", 7, { "token.usage|input|gemini-3-flash-preview": 100 }],
  ])("%s: %i messages", async (file, logs, tokens) => {
    const parsed = await parseAll(geminiSource, [join(SAMPLES, "gemini", file)]);
    expect(mergeEvents(parsed).logs).toHaveLength(logs);
    expect(tokenTotals(parsed)).toMatchObject(tokens);
  });

  test("gemini-2.5-pro cost per message: cached once (inside input), output and thoughts at the output rate", async () => {
    const parsed = await parseAll(geminiSource, [join(SAMPLES, "gemini/vibecodingtracker/f1f04cc/test_conversation_gemini.json")]);
    expect(costTotal(parsed)).toBeCloseTo((176179 - 121305) * 1.25e-6 + 121305 * 0.125e-6 + (851 + 1546) * 10e-6, 12);
  });
});

const TMP = join(FIXTURES, "gemini/tmp");
const HASH_COPY = join(TMP, "5e1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff0/chats/session-2026-01-02T10-00-3f1c0a7e.json");
const SLUG_COPY = join(TMP, "my-app/chats/session-2026-01-02T10-00-3f1c0a7e.json");
const RESUMED = join(TMP, "my-app/chats/session-2026-01-02T10-00-3f1c0a7e.jsonl");
const SUBAGENT = join(TMP, "my-app/chats/3f1c0a7e-5b2d-4c8e-9a61-0d2f7b9e4c11/9d8c7b6a-0000-4000-8000-000000000001.jsonl");

describe("Gemini duplicates and rewinds", () => {
  test("discovery: legacy and JSONL sessions and nested subagents, not logs, checkpoints or temp files", async () => {
    const { files } = await geminiSource.discover([TMP]);
    expect(files.map((file) => file.path)).toEqual([HASH_COPY, SUBAGENT, SLUG_COPY, RESUMED]);
  });

  test.each(permutations([HASH_COPY, SLUG_COPY, RESUMED, SUBAGENT]).map((order, index) => [index, order]))(
    "hash-dir copy, slug-dir copy and resumed .jsonl count once; rewound responses still count (order %i)",
    async (_index, order) => {
      const parsed = await parseAll(geminiSource, order as string[]);
      expect(tokenTotals(parsed)).toEqual({
        "token.usage|input|gemini-2.5-pro": 2200,
        "token.usage|output|gemini-2.5-pro": 220,
        "token.usage|cached|gemini-2.5-pro": 200,
        "token.usage|thoughts|gemini-2.5-pro": 60,
        "token.usage|tool|gemini-2.5-pro": 5,
        "token.usage|input|gemini-2.5-flash": 260,
        "token.usage|output|gemini-2.5-flash": 26,
      });
      expect(mergeEvents(parsed).logs).toHaveLength(11);
    },
  );

  test("log rows: Go bodies, severities and attributes; subagents link to their parent session", async () => {
    const parsed = await parseAll(geminiSource, [RESUMED, SUBAGENT]);
    const logs = mergeEvents(parsed).logs;
    const warning = logs.find((row) => row.attributes["message.id"] === "w1")!;
    expect(warning).toMatchObject({ body: "warning", severityText: "WARN", severityNumber: 13, serviceName: "gemini_cli" });
    const response = logs.find((row) => row.attributes["message.id"] === "g1")!;
    expect(response.body).toBe("api_response");
    expect(response.attributes).toEqual({
      "event.name": "gemini_cli.gemini",
      "session.id": "3f1c0a7e-5b2d-4c8e-9a61-0d2f7b9e4c11",
      "message.id": "g1",
      import_source: "local_jsonl",
      model: "gemini-2.5-pro",
      project_hash: "5e1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff0",
    });
    const sub = logs.find((row) => row.attributes["message.id"] === "s-g1")!;
    expect(sub.attributes["parent.session.id"]).toBe("3f1c0a7e-5b2d-4c8e-9a61-0d2f7b9e4c11");
    expect(sub.attributes["session.id"]).toBe("9d8c7b6a-0000-4000-8000-000000000001");
  });

  test("tokens attached to a later record, and kept when an even later record omits them, count once", async () => {
    const path = join(tempDir("gemini-late-tokens"), "session-2026-02-01T10-00-aaaa0000.jsonl");
    const lines = [
      { sessionId: "late", projectHash: "h", startTime: "2026-02-01T10:00:00.000Z" },
      { id: "m1", timestamp: "2026-02-01T10:00:01.000Z", type: "gemini", model: "gemini-2.5-flash", tokens: null },
      { id: "m1", timestamp: "2026-02-01T10:00:01.000Z", type: "gemini", model: "gemini-2.5-flash", tokens: { input: 10, output: 2, cached: 0, thoughts: 0, tool: 0, total: 12 } },
      { id: "m1", timestamp: "2026-02-01T10:00:01.000Z", type: "gemini", model: "gemini-2.5-flash", toolCalls: [] },
    ];
    writeFileSync(path, lines.map((line) => JSON.stringify(line)).join("\n") + "\n");
    const parsed = await parseAll(geminiSource, [path]);
    expect(tokenTotals(parsed)).toEqual({ "token.usage|input|gemini-2.5-flash": 10, "token.usage|output|gemini-2.5-flash": 2 });
  });

  test("a legacy document caught mid-rewrite is one bad record, not an exception", async () => {
    const path = join(tempDir("gemini-truncated"), "session-2026-02-01T10-00-bbbb0000.json");
    writeFileSync(path, '{\n  "sessionId": "x",\n  "messages": [\n    {\n      "id": "m1",');
    const [parsed] = await parseAll(geminiSource, [path]);
    expect(parsed).toMatchObject({ badLines: 1, events: [], completeBytes: 0 });
  });
});

describe("Gemini roots", () => {
  test.each([
    [{ AI_OBSERVER_GEMINI_PATH: "/a,, /b" }, ["/a", "/b"]],
    [{ GEMINI_CLI_HOME: "/g" }, ["/g/.gemini/tmp"]],
    [{ GEMINI_HOME: "/gh" }, ["/gh/tmp"]],
    [{}, ["/h/.gemini/tmp"]],
  ])("roots for %j", (env, roots) => {
    expect(geminiRoots(env, "/h")).toEqual(roots);
  });
});

describe("Gemini transcripts (Go 0.3+ transcript.message rows; fixture test/fixtures/gemini/transcript)", () => {
  const FILE = join(FIXTURES, "gemini/transcript/4b1c/chats/session-2026-10-05T12-00-9d2e0000.json");
  const SESSION = "9d2e0000-aaaa-4bbb-8ccc-000000000001";

  test("a row per message, then per tool call a tool_use row and its result, with Go's attributes", async () => {
    const { rows, common } = await transcriptOf(geminiSource, FILE, SESSION);
    const message = { ...common, project_hash: "4b1c" };
    expect(rows.map((row) => [row.timestamp.slice(11, 19), row.severityText, row.body, row.attributes])).toEqual([
      // parts' texts joined (Go fails the whole file on a content array)
      ["12:00:00", "INFO", "Read the README\nand sum it up", { ...message, "message.id": "m1", "message.index": "0", "message.role": "user" }],
      [
        "12:00:05",
        "INFO",
        "",
        { ...message, "message.id": "m2", "message.index": "1", "message.role": "assistant", model: "gemini-2.5-pro", input_tokens: "1200", output_tokens: "80", cache_read_input_tokens: "200" },
      ],
      // at the call's own time
      ["12:00:06", "INFO", "Tool call: read_file", { ...common, "message.index": "2", "message.role": "tool_use", "tool.name": "read_file", "tool.input": '{"absolute_path":"/home/dev/app/README.md"}' }],
      ["12:00:06", "INFO", "# App\nA small app.", { ...common, "message.index": "3", "message.role": "tool_result", "tool.name": "read_file", "tool.output": "# App\nA small app.", success: "true" }],
      // no time of its own: the message's
      ["12:00:05", "INFO", "Tool call: run_shell_command", { ...common, "message.index": "4", "message.role": "tool_use", "tool.name": "run_shell_command", "tool.input": '{"command":"false"}' }],
      ["12:00:05", "INFO", "", { ...common, "message.index": "5", "message.role": "tool_result", "tool.name": "run_shell_command", success: "false" }],
      [
        "12:00:10",
        "INFO",
        "The README says: a small app.",
        { ...message, "message.id": "m3", "message.index": "6", "message.role": "assistant", model: "gemini-2.5-pro", input_tokens: "1500", output_tokens: "30", cache_read_input_tokens: "1000" },
      ],
      ["12:00:20", "ERROR", "Request cancelled.", { ...message, "message.id": "m4", "message.index": "7", "message.role": "assistant" }],
    ]);
  });

  test("the usage rows and per-message logs are the same with or without transcripts", async () => {
    const usage = async (context: ParseContext) => {
      const merged = mergeEvents(await parseAll(geminiSource, [FILE], context));
      return { logs: merged.logs.filter((row) => !isTranscriptRow(row)), metrics: merged.metrics };
    };
    expect(await usage(WITH_TRANSCRIPTS)).toEqual(await usage({}));
    expect((await usage({})).logs.map((row) => row.attributes["event.name"])).toEqual(["gemini_cli.user", "gemini_cli.gemini", "gemini_cli.gemini", "gemini_cli.error"]);
  });
});
