import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { codexSource } from "../../src/sources/codex/index.ts";
import { codexRoots } from "../../src/sources/codex/paths.ts";
import { mergeEvents } from "../../src/sources/shared/merge.ts";
import { FIXTURES, SAMPLES, costTotal, isTranscriptRow, parseAll, permutations, tempDir, tokenTotals, transcriptOf, WITH_TRANSCRIPTS } from "./helpers.ts";

function usageEvents(files: Awaited<ReturnType<typeof parseAll>>) {
  return files.flatMap((file) => file.events).filter((event) => event.metrics.length > 0);
}

describe("Codex samples", () => {
  test("agtrace codex_session: re-emitted token_counts are skipped: 7 calls, total 27148", async () => {
    const parsed = await parseAll(codexSource, [join(SAMPLES, "codex/agtrace/codex_session.jsonl")]);
    expect(usageEvents(parsed)).toHaveLength(7);
    const tokens = tokenTotals(parsed);
    const model = "gpt-5.1-codex-max";
    expect(tokens[`token.usage|input|${model}`]! + tokens[`token.usage|output|${model}`]!).toBe(27148);
    expect(tokens[`token.usage|cache_read|${model}`]).toBe(22912);
    expect(costTotal(parsed)).toBeCloseTo((26740 - 22912) * 1.25e-6 + 22912 * 0.125e-6 + 408 * 10e-6, 12);
  });

  test("VibeCodingTracker 0.39: the sum of deltas is the final cumulative total; a custom model is unpriced", async () => {
    const parsed = await parseAll(codexSource, [join(SAMPLES, "codex/vibecodingtracker/test_conversation_oai.jsonl")]);
    expect(usageEvents(parsed)).toHaveLength(19);
    expect(tokenTotals(parsed)).toEqual({
      "token.usage|input|aide-gpt-5": 270530,
      "token.usage|cache_read|aide-gpt-5": 136832,
      "token.usage|output|aide-gpt-5": 12551,
      "token.usage|reasoning|aide-gpt-5": 9536,
    });
    const merged = mergeEvents(parsed);
    expect(merged.unpricedModels).toEqual(["aide-gpt-5"]);
    expect(merged.metrics.some((row) => row.metricName === "codex_cli_rs.cost.usage")).toBe(false);
    expect(merged.logs[0]!.attributes).toMatchObject({
      "event.name": "codex.conversation_starts",
      "session.id": "01996135-afde-7911-97f0-d863511eca56",
      cli_version: "0.39.0",
      originator: "codex_vscode",
    });
  });

  test("no turn_context: model is unknown, and info:null or invented event types are ignored", async () => {
    const parsed = await parseAll(codexSource, [join(SAMPLES, "codex/agent-sessions/codex_053_rate_limit.jsonl")]);
    expect(usageEvents(parsed).map((event) => event.model)).toEqual(["unknown"]);
    expect(tokenTotals(parsed)["token.usage|input|unknown"]).toBe(12091);
  });

  test("a model carried in info.model wins over turn_context", async () => {
    const parsed = await parseAll(codexSource, [join(SAMPLES, "codex/ccusage/sessions/project-alpha/session-alpha.jsonl")]);
    expect(tokenTotals(parsed)).toMatchObject({ "token.usage|input|gpt-5.2-codex": 1000, "token.usage|input|gpt-5.3-codex": 2500 });
  });

  test.each([
    ["claude-code-log/codex/sessions/rollout-44444444-4444-4444-8444-444444444444.jsonl", "44444444-4444-4444-8444-444444444444", 0],
    ["claude-code-log/codex/malformed/rollout-66666666-6666-4666-8666-666666666666.jsonl", "66666666-6666-4666-8666-666666666666", 2],
    ["agtrace/rollout-subagent-019b88e5.jsonl", "019b88e5-a2e4-7b90-8953-38fce393c653", 2],
  ])("%s: a session without usage is not an error", async (file, sessionId, logs) => {
    const [parsed] = await parseAll(codexSource, [join(SAMPLES, "codex", file)]);
    expect(parsed!.sessionId).toBe(sessionId);
    expect(usageEvents([parsed!])).toHaveLength(0);
    expect(mergeEvents([parsed!]).logs).toHaveLength(logs);
  });

  test("newer rollout shapes (0.146): unknown types ignored, trimmed timestamps skipped", async () => {
    const parsed = await parseAll(codexSource, [join(SAMPLES, "codex/agent-sessions/stage0/small.jsonl")]);
    expect(tokenTotals(parsed)).toEqual({
      "token.usage|input|gpt-5.6-luna": 16341,
      "token.usage|output|gpt-5.6-luna": 81,
      "token.usage|cache_read|gpt-5.6-luna": 3584,
      "token.usage|reasoning|gpt-5.6-luna": 63,
    });
  });
});

const DAY = join(FIXTURES, "codex/sessions/2026/01/02");
const PARENT = join(DAY, "rollout-2026-01-02T11-00-00-019b0000-0000-7000-8000-00000000000a.jsonl");
const FORK = join(DAY, "rollout-2026-01-02T11-30-00-019b0000-0000-7000-8000-00000000000b.jsonl");

describe("Codex cumulative totals", () => {
  test("a parent: re-emits skipped, deltas counted, gpt-5 costs as in Go", async () => {
    const parsed = await parseAll(codexSource, [PARENT]);
    const usage = usageEvents(parsed);
    expect(usage.map((event) => event.timestamp)).toEqual(["2026-01-02 10:00:05.000000", "2026-01-02 10:00:09.000000"]);
    const costs = usage.map((event) => event.metrics.find((row) => row.metricName === "codex_cli_rs.cost.usage")!.value);
    expect(costs[0]).toBeCloseTo(0.0061375, 12);
    expect(costs[1]).toBeCloseTo(0.003375, 12);
    expect(mergeEvents(parsed).logs.map((row) => row.body)).toEqual(["conversation_starts", "user_message", "agent_message"]);
  });

  test("a fork's replayed parent events are a baseline, not new usage", async () => {
    const parsed = await parseAll(codexSource, [FORK]);
    expect(tokenTotals(parsed)).toEqual({
      "token.usage|input|gpt-5-mini": 400,
      "token.usage|cache_read|gpt-5-mini": 400,
      "token.usage|output|gpt-5-mini": 60,
    });
    const logs = mergeEvents(parsed).logs;
    expect(logs.map((row) => [row.body, row.timestamp])).toEqual([
      ["conversation_starts", "2026-01-02 10:29:59.998000"],
      ["user_message", "2026-01-02 10:30:04.000000"],
    ]);
    expect(logs[0]!.attributes["parent.session.id"]).toBe("019b0000-0000-7000-8000-00000000000a");
  });

  test.each(permutations([PARENT, FORK]).map((order) => [order.length, order]))(
    "parent plus fork count each response once, in any order (%#)",
    async (_n, order) => {
      const parsed = await parseAll(codexSource, order as string[]);
      expect(tokenTotals(parsed)).toEqual({
        "token.usage|input|gpt-5": 3000,
        "token.usage|cache_read|gpt-5": 1100,
        "token.usage|output|gpt-5": 700,
        "token.usage|reasoning|gpt-5": 64,
        "token.usage|input|gpt-5-mini": 400,
        "token.usage|cache_read|gpt-5-mini": 400,
        "token.usage|output|gpt-5-mini": 60,
      });
    },
  );

  test("a model-less rollout is attributed to `unknown`, never guessed, and reported unpriced", async () => {
    const parsed = await parseAll(codexSource, [join(FIXTURES, "codex/no-model/rollout-unknown.jsonl")]);
    expect(tokenTotals(parsed)).toEqual({ "token.usage|input|unknown": 400, "token.usage|output|unknown": 40 });
    expect(mergeEvents(parsed).unpricedModels).toEqual(["unknown"]);
  });

  test("a total that goes down falls back to last_token_usage", async () => {
    const parsed = await parseAll(codexSource, [join(FIXTURES, "codex/reset/rollout-reset.jsonl")]);
    expect(tokenTotals(parsed)).toEqual({ "token.usage|input|gpt-5": 5700, "token.usage|output|gpt-5": 160 });
  });

  test("a .jsonl.zst copy (archived, compressed) is read and counts once with the plain file", async () => {
    const dir = tempDir("codex-zst");
    mkdirSync(join(dir, "archived_sessions"), { recursive: true });
    const zst = join(dir, "archived_sessions", "rollout-2026-01-02T11-00-00-019b0000-0000-7000-8000-00000000000a.jsonl.zst");
    writeFileSync(zst, Bun.zstdCompressSync(readFileSync(PARENT)));
    const [found] = (await codexSource.discover([join(dir, "sessions"), join(dir, "archived_sessions")])).files;
    expect(found!.path).toBe(zst);
    const compressed = await parseAll(codexSource, [zst]);
    expect(compressed[0]!.sessionId).toBe("019b0000-0000-7000-8000-00000000000a");
    const both = await parseAll(codexSource, [PARENT, zst]);
    expect(tokenTotals(both)).toEqual(tokenTotals(compressed));
    expect(mergeEvents(both).logs).toHaveLength(3);
  });
});

describe("Codex discovery", () => {
  test("walks sessions/YYYY/MM/DD recursively", async () => {
    const { files } = await codexSource.discover([join(FIXTURES, "codex/sessions")]);
    expect(files.map((file) => file.path)).toEqual([PARENT, FORK]);
  });

  test.each([
    [{ AI_OBSERVER_CODEX_PATH: "/a, /b,," }, "/h", ["/a", "/b"]],
    [{ CODEX_HOME: "/c" }, "/h", ["/c/sessions", "/c/archived_sessions"]],
    [{}, "/h", ["/h/.codex/sessions", "/h/.codex/archived_sessions"]],
    [{}, "", []],
  ])("roots for %j (home %p)", (env, home, roots) => {
    expect(codexRoots(env, home)).toEqual(roots);
  });
});

describe("Codex 0.154+ shapes (fixtures test/fixtures/codex/2026, written from session-formats-2026.md)", () => {
  const DIR = join(FIXTURES, "codex/2026");
  const PARENT_2026 = join(DIR, "rollout-2026-10-01T09-00-00-019c0000-0000-7000-8000-0000000000a1.jsonl");
  const FORK_2026 = join(DIR, "rollout-2026-10-01T10-00-00-019c0000-0000-7000-8000-0000000000b2.jsonl");
  const MODEL = "gpt-5.3-codex";

  test("token_usage_records are the usage: each response once, the compaction (only in its record) included, token_count deltas not again", async () => {
    const totals = tokenTotals(await parseAll(codexSource, [PARENT_2026]));
    expect(totals).toEqual({
      [`token.usage|input|${MODEL}`]: 10000 + 20000 + 240000,
      [`token.usage|cache_read|${MODEL}`]: 2000 + 9000 + 200000,
      [`token.usage|output|${MODEL}`]: 500 + 800 + 3000,
      [`token.usage|reasoning|${MODEL}`]: 100,
    });
  });

  test("a fork counts only its own responses, though its totals start from the parent's; parent and fork together, in any order", async () => {
    expect(tokenTotals(await parseAll(codexSource, [FORK_2026]))).toEqual({
      [`token.usage|input|${MODEL}`]: 5000,
      [`token.usage|cache_read|${MODEL}`]: 1000,
      [`token.usage|output|${MODEL}`]: 200,
    });
    for (const order of [[PARENT_2026, FORK_2026], [FORK_2026, PARENT_2026]]) {
      expect(tokenTotals(await parseAll(codexSource, order))[`token.usage|input|${MODEL}`]).toBe(275000);
    }
  });

  test("a copy of a response in another file (a subagent's or a revert's) counts once", async () => {
    const dir = tempDir("codex-copy");
    const copy = join(dir, "rollout-2026-10-01T11-00-00-019c0000-0000-7000-8000-0000000000c3.jsonl");
    writeFileSync(copy, readFileSync(PARENT_2026, "utf8").replaceAll("019c0000-0000-7000-8000-0000000000a1\", \"timestamp\"", "019c0000-0000-7000-8000-0000000000c3\", \"timestamp\""));
    const merged = mergeEvents(await parseAll(codexSource, [PARENT_2026, copy]));
    const inputs = merged.metrics.filter((row) => row.metricName === "codex_cli_rs.token.usage" && row.attributes["type"] === "input");
    expect(inputs.reduce((sum, row) => sum + row.value, 0)).toBe(270000);
  });

  test("costs at gpt-5.3-codex's prices (1.75e-6, cached 0.175e-6, output 14e-6), per response", async () => {
    const cost = costTotal(await parseAll(codexSource, [PARENT_2026, FORK_2026]));
    // resp_1 0.02135 + resp_2 0.032025 + the compaction 0.147 + the fork's resp_3 0.009975
    expect(cost).toBeCloseTo(0.02135 + 0.032025 + 0.147 + 0.009975, 12);
  });

  test("paginated threads' messages (item_completed) are logged", async () => {
    const merged = mergeEvents(await parseAll(codexSource, [PARENT_2026]));
    expect(merged.logs.map((row) => row.body)).toEqual(["conversation_starts", "user_message", "agent_message"]);
  });
});

describe("Codex paginated threads without records (fixtures test/fixtures/codex/paginated, written from openai/codex's source)", () => {
  const DIR = join(FIXTURES, "codex/paginated");
  const file = (name: string) => join(DIR, name);
  const PARENT = file("rollout-2026-08-01T09-00-00-019b0000-0000-7000-8000-0000000000c1.jsonl");
  const FORK = file("rollout-2026-08-01T10-00-00-019b0000-0000-7000-8000-0000000000c2.jsonl");
  const REVERT = file("rollout-2026-08-01T11-00-00-019b0000-0000-7000-8000-0000000000c3.jsonl");
  const SUBAGENT = file("rollout-2026-08-01T12-00-00-019b0000-0000-7000-8000-0000000000c4.jsonl");
  const ROTATED = file("rollout-2026-08-02T09-00-00-019b0000-0000-7000-8000-0000000000c5.jsonl");
  const MODEL = "gpt-5.3-codex";
  const own = (input: number, cached: number, output: number, reasoning: number) => ({
    [`token.usage|input|${MODEL}`]: input,
    [`token.usage|cache_read|${MODEL}`]: cached,
    [`token.usage|output|${MODEL}`]: output,
    ...(reasoning > 0 ? { [`token.usage|reasoning|${MODEL}`]: reasoning } : {}),
  });

  test.each([
    ["the parent", PARENT, own(25000, 12000, 1200, 300)],
    // history_base: the first total includes the parent's 25,000; only last_token_usage of it is the fork's
    ["a fork (history_base, forked_from_id)", FORK, own(11000, 6000, 500, 50)],
    // the same thread, totals going on from the cut (10,000)
    ["a revert (history_base, the same thread id)", REVERT, own(9000, 1000, 300, 0)],
    // lines below subagent_history_start_ordinal are the parent's
    ["a subagent (subagent_history_start_ordinal)", SUBAGENT, own(5000, 1000, 200, 0)],
    // a rollout_reference before any total: the first total includes the rotated segment's usage
    ["a rotated thread's live segment (rollout_reference)", ROTATED, own(7000, 5000, 350, 100)],
  ])("%s counts only its own responses", async (_name, path, expected) => {
    expect(tokenTotals(await parseAll(codexSource, [path]))).toEqual(expected);
  });

  test("all five together, in any order: each response once", async () => {
    const paths = [PARENT, FORK, REVERT, SUBAGENT, ROTATED];
    for (const order of [paths, [...paths].reverse()]) {
      expect(tokenTotals(await parseAll(codexSource, order))[`token.usage|input|${MODEL}`]).toBe(25000 + 11000 + 9000 + 5000 + 7000);
    }
  });

  test("the fork's responses at the priority tier it asked for (thread_settings_applied), the others at the standard prices", async () => {
    // priority: 3.5e-6, cached 0.35e-6, output 28e-6: (2000 x 3.5e-6 + 6000 x 0.35e-6 + 400 x 28e-6) + (3000 x 3.5e-6 + 100 x 28e-6)
    expect(costTotal(await parseAll(codexSource, [FORK]))).toBeCloseTo(0.0203 + 0.0133, 12);
    const forkRows = mergeEvents(await parseAll(codexSource, [FORK])).metrics;
    expect(new Set(forkRows.map((row) => row.attributes["service_tier"]))).toEqual(new Set(["priority"]));
    // standard: 1.75e-6, cached 0.175e-6, output 14e-6
    expect(costTotal(await parseAll(codexSource, [PARENT]))).toBeCloseTo(0.02135 + 0.0203, 12);
    expect(costTotal(await parseAll(codexSource, [REVERT, SUBAGENT, ROTATED]))).toBeCloseTo(0.018375 + 0.009975 + 0.006825 + 0.00245, 12);
  });

  test("a subagent's copied messages are not logged again; its own are", async () => {
    const merged = mergeEvents(await parseAll(codexSource, [SUBAGENT]));
    expect(merged.logs.map((row) => row.body)).toEqual(["conversation_starts", "user_message"]);
  });

  test("a revert is the same conversation as the thread it reverts: one conversation_starts", async () => {
    const merged = mergeEvents(await parseAll(codexSource, [PARENT, REVERT]));
    expect(merged.logs.filter((row) => row.body === "conversation_starts")).toHaveLength(1);
  });
});

describe("Codex transcripts (Go 0.3+ transcript.message rows from response_item lines; fixture test/fixtures/codex/transcript)", () => {
  const FILE = join(FIXTURES, "codex/transcript/rollout-2026-09-10T08-00-00-019a0000-0000-7000-8000-0000000000e1.jsonl");
  const SESSION = "019a0000-0000-7000-8000-0000000000e1";

  test("messages, reasoning summaries, tool calls and their outputs, in order; empty texts and other items skipped", async () => {
    const transcript = await transcriptOf(codexSource, FILE, SESSION);
    const rows = transcript.rows;
    // the session's folder's name as repository (no git remote recorded)
    const common = { ...transcript.common, repository: "app" };
    const model = { model: "gpt-5.3-codex" };
    expect(rows.map((row) => [row.timestamp.slice(11, 23), row.body, row.attributes])).toEqual([
      ["08:00:00.200", "<permissions>sandboxed</permissions>", { ...common, "message.index": "0", "message.role": "developer", ...model }],
      // the texts of a message joined by a newline, its image left out
      ["08:00:01.000", "List the files\nin src/", { ...common, "message.index": "1", "message.role": "user", ...model }],
      ["08:00:03.000", "**Listing files**", { ...common, "message.index": "2", "message.role": "assistant", ...model }],
      ["08:00:04.000", "Tool call: shell", { ...common, "message.index": "3", "message.role": "tool_use", ...model, "tool.name": "shell", "tool.input": '{"command":["ls","src"]}', "tool.call_id": "call_1" }],
      [
        "08:00:05.000",
        '{"output":"a.ts\\nb.ts\\n","metadata":{"exit_code":0}}',
        { ...common, "message.index": "4", "message.role": "tool_result", "tool.output": '{"output":"a.ts\\nb.ts\\n","metadata":{"exit_code":0}}', "tool.call_id": "call_1" },
      ],
      // an output that is not a string: its JSON
      ["08:00:06.000", '{"content":"structured","success":true}', { ...common, "message.index": "5", "message.role": "tool_result", "tool.output": '{"content":"structured","success":true}', "tool.call_id": "call_3" }],
      ["08:00:07.000", "Two files: a.ts and b.ts — done.", { ...common, "message.index": "6", "message.role": "assistant", ...model }],
    ]);
  });

  test("the usage and message rows are what they are without transcripts", async () => {
    const usage = (parsed: Awaited<ReturnType<typeof parseAll>>) => mergeEvents(parsed).logs.filter((row) => !isTranscriptRow(row)).map((row) => row.body);
    expect(usage(await parseAll(codexSource, [FILE], WITH_TRANSCRIPTS))).toEqual(["conversation_starts", "user_message"]);
    expect(usage(await parseAll(codexSource, [FILE]))).toEqual(["conversation_starts", "user_message"]);
    expect(tokenTotals(await parseAll(codexSource, [FILE], WITH_TRANSCRIPTS))).toEqual(tokenTotals(await parseAll(codexSource, [FILE])));
    expect(mergeEvents(await parseAll(codexSource, [FILE])).logs.filter(isTranscriptRow)).toEqual([]);
  });
});

describe("Codex repository and git_branch (Go's main, PR #11: on every log and metric)", () => {
  test.each(["https://github.com/acme/project.git", "git@github.com:acme/project.git", "https://example-token@github.com/acme/project.git"])(
    "a session's git remote %s gives repository acme/project, whatever its folder",
    async (url) => {
      const path = join(tempDir("codex-repo"), "rollout-2026-09-11T08-00-00-019a0000-0000-7000-8000-0000000000f1.jsonl");
      const lines = [
        { timestamp: "2026-09-11T08:00:00.000Z", type: "session_meta", payload: { id: "019a0000-0000-7000-8000-0000000000f1", cwd: "/gone/elsewhere", git: { repository_url: url, branch: "feature/x" } } },
        { timestamp: "2026-09-11T08:00:00.100Z", type: "turn_context", payload: { model: "gpt-5.3-codex" } },
        { timestamp: "2026-09-11T08:00:01.000Z", type: "event_msg", payload: { type: "user_message", message: "hi" } },
        { timestamp: "2026-09-11T08:00:05.000Z", type: "event_msg", payload: { type: "token_count", info: { total_token_usage: { input_tokens: 10, output_tokens: 2, total_tokens: 12 } } } },
      ];
      writeFileSync(path, lines.map((line) => JSON.stringify(line)).join("\n"));
      const { logs, metrics } = mergeEvents(await parseAll(codexSource, [path]));
      const rows = [...logs, ...metrics];
      expect(rows.length).toBeGreaterThan(3);
      expect(new Set(rows.map((row) => `${row.attributes["repository"]} ${row.attributes["git_branch"]}`))).toEqual(new Set(["acme/project feature/x"]));
    },
  );
});
