import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { claudeSource } from "../../src/sources/claude/index.ts";
import { codexSource } from "../../src/sources/codex/index.ts";
import { geminiSource } from "../../src/sources/gemini/index.ts";
import { mergeEvents } from "../../src/sources/shared/merge.ts";
import { FIXTURES, parseAll, WITH_TRANSCRIPTS } from "./helpers.ts";

// go-reference §3.4–3.6: the Go tests' inputs give these rows.
describe("Go example rows are reproduced", () => {
  test("Claude: one line 1000 in / 500 out gives 1 log, 6 metrics, cost 0.0105, and (Go 0.3+) its text as a transcript row", async () => {
    const parsed = await parseAll(claudeSource, [join(FIXTURES, "claude/go-example/test-session.jsonl")], WITH_TRANSCRIPTS);
    const { logs, metrics } = mergeEvents(parsed);
    expect(logs.map((row) => [row.body, row.attributes["event.name"]])).toEqual([
      ["api_request", "claude_code.api_request"],
      ["...", "transcript.message"],
    ]);
    expect(metrics.map((row) => [row.metricName, row.attributes["type"] ?? "", row.value])).toEqual([
      ["claude_code.token.usage", "input", 1000],
      ["claude_code.token.usage_user_facing", "input", 1000],
      ["claude_code.token.usage", "output", 500],
      ["claude_code.token.usage_user_facing", "output", 500],
      // 1000 x 3e-6 + 500 x 15e-6 with LiteLLM's per-token prices; Go multiplies per-million prices by 1e-6 and gets
      // the float 0.010499999999999999.
      ["claude_code.cost.usage", "", 0.0105],
      ["claude_code.cost.usage_user_facing", "", 0.0105],
      // Go's main (PR #8): one session per file, its last metric
      ["claude_code.session.count", "", 1],
    ]);
    expect(parsed[0]).toMatchObject({ sessionId: "test-session", firstTime: "2025-01-02 10:00:00.000000" });
  });

  test("Codex: 3 logs and 10 metrics; costs 0.00325 then 0.00225", async () => {
    const parsed = await parseAll(codexSource, [join(FIXTURES, "codex/go-example/session-abc123.jsonl")]);
    const { logs, metrics } = mergeEvents(parsed);
    expect(logs.map((row) => row.body)).toEqual(["conversation_starts", "user_message", "agent_message"]);
    expect(metrics).toHaveLength(10);
    const costs = metrics.filter((row) => row.metricName === "codex_cli_rs.cost.usage").map((row) => row.value);
    expect(costs).toHaveLength(2);
    expect(costs[0]).toBeCloseTo(0.00325, 12);
    expect(costs[1]).toBeCloseTo(0.00225, 12);
    expect(metrics.slice(0, 4).map((row) => [row.attributes["type"], row.value])).toEqual([
      ["input", 500],
      ["output", 200],
      ["reasoning", 50],
      ["tool", 10],
    ]);
    expect(parsed[0]).toMatchObject({ sessionId: "session-abc123", firstTime: "2025-01-02 10:00:00.000000", lastTime: "2025-01-02 10:04:00.000000" });
  });

  test("Gemini: 3 logs and 9 metrics; costs 0.00013925 (Go: 0.00014325) then 0.00009", async () => {
    const parsed = await parseAll(geminiSource, [join(FIXTURES, "gemini/go-example/abc123/chats/session-test123.json")]);
    const { logs, metrics } = mergeEvents(parsed);
    expect(logs.map((row) => [row.body, row.attributes["event.name"]])).toEqual([
      ["user_prompt", "gemini_cli.user"],
      ["api_response", "gemini_cli.gemini"],
      ["api_response", "gemini_cli.gemini"],
    ]);
    expect(metrics).toHaveLength(9);
    expect(metrics.slice(0, 5).map((row) => row.attributes["type"])).toEqual(["input", "output", "cached", "thoughts", "tool"]);
    const costs = metrics.filter((row) => row.metricName === "gemini_cli.cost.usage").map((row) => row.value);
    // Cached tokens once, inside input, and tool-use tokens at the input price (docs/parsers.md): the Go importer bills
    // the 50 cached tokens twice (+50 x 0.1e-6) and the 10 tool tokens not at all (-10 x 0.1e-6): 0.00014325.
    expect(costs[0]).toBeCloseTo(0.00013925, 12);
    expect(costs[1]).toBeCloseTo(0.00009, 12);
    expect(parsed[0]!.sessionId).toBe("session-test123");
  });
});
