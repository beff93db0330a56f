import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { claudeSource } from "../../src/sources/claude/index.ts";
import { claudeRoots } from "../../src/sources/claude/paths.ts";
import { mergeEvents } from "../../src/sources/shared/merge.ts";
import { FIXTURES, isTranscriptRow, mergedTotals, SAMPLES, parseAll, permutations, tempDir, tokenTotals, transcriptOf, WITH_TRANSCRIPTS } from "./helpers.ts";

const SONNET_4 = "claude-sonnet-4-20250514";
const SONNET_45 = "claude-sonnet-4-5-20250929";

interface SampleCase {
  file: string;
  responses: number;
  tokens: Record<string, number>;
  /** Lines counted bad (default 0). */
  badLines?: number;
}

// Reference numbers: shared/samples/SOURCES.md (dedupe on message id, most complete copy, skip <synthetic>).
const SAMPLE_CASES: SampleCase[] = [
  {
    file: "sniffly/-Users-chip-dev-ai-music/ba79134d-b6e9-4867-af0c-6941038c9e4b.jsonl",
    responses: 24,
    tokens: {
      [`token.usage|input|${SONNET_4}`]: 91,
      [`token.usage|output|${SONNET_4}`]: 2266,
      [`token.usage|cacheCreation|${SONNET_4}`]: 16072,
      [`token.usage|cacheRead|${SONNET_4}`]: 503769,
    },
  },
  {
    file: "sniffly/-Users-chip-dev-ai-music/d3ad4cdc-5657-435d-98fa-0035d53e383d.jsonl",
    responses: 62,
    tokens: { [`token.usage|output|${SONNET_4}`]: 16769, [`token.usage|cacheRead|${SONNET_4}`]: 3754072 },
  },
  { file: "sniffly/-Users-chip-dev-ai-music/fed8ce56-bc79-401f-a83e-af084253362f.jsonl", responses: 4, tokens: {} },
  { file: "sniffly/-Users-chip-dev-ai-music/ff71dbed-a4f2-4284-a4fc-fe2fb90de929.jsonl", responses: 0, tokens: {} },
  {
    file: "vibecodingtracker/test_conversation.jsonl",
    responses: 31,
    tokens: {
      [`token.usage|input|${SONNET_4}`]: 158,
      [`token.usage|output|${SONNET_4}`]: 3860,
      [`token.usage|cacheCreation|${SONNET_4}`]: 99004,
      [`token.usage|cacheRead|${SONNET_4}`]: 1093509,
    },
  },
  { file: "agtrace/claude_session.jsonl", responses: 6, tokens: { [`token.usage|output|${SONNET_45}`]: 844 } },
  {
    file: "agtrace/claude_agent.jsonl",
    responses: 1,
    tokens: { [`token.usage|input|${SONNET_45}`]: 487, [`token.usage|output|${SONNET_45}`]: 130 },
  },
  {
    file: "claude-code-log/test_data/sidechain_integrated.jsonl",
    responses: 3,
    tokens: { [`token.usage|output|${SONNET_45}`]: 738, [`token.usage|cacheCreation|${SONNET_45}`]: 164054 },
  },
  { file: "claude-code-log/test_data/edge_cases.jsonl", responses: 4, tokens: {} },
  {
    file: "agent-sessions/stage0/small.jsonl",
    responses: 1,
    tokens: { "token.usage|input|claude-opus-5": 10, "token.usage|output|claude-opus-5": 5 },
    // Five responses whose timestamps the sample's project trimmed ("[trimmed for fixture]"): usage that cannot be
    // placed in time is a bad line, not silently dropped (the <synthetic> one is no usage at all).
    badLines: 5,
  },
];

describe("Claude Code samples", () => {
  test.each(SAMPLE_CASES)("$file: $responses responses with the reference totals", async ({ file, responses, tokens, badLines = 0 }) => {
    const parsed = await parseAll(claudeSource, [join(SAMPLES, "claude-code", file)]);
    const merged = mergeEvents(parsed);
    expect(merged.logs.filter((row) => row.body === "api_request")).toHaveLength(responses);
    const actual = tokenTotals(parsed);
    for (const [key, value] of Object.entries(tokens)) expect([key, actual[key]]).toEqual([key, value]);
    expect(parsed[0]?.badLines).toBe(badLines);
  });

  test("every metric row has its _user_facing twin with the same value", async () => {
    const parsed = await parseAll(claudeSource, [join(SAMPLES, "claude-code", SAMPLE_CASES[0]!.file)]);
    const { metrics } = mergeEvents(parsed);
    const plain = metrics.filter((row) => !row.metricName.endsWith("_user_facing"));
    const facing = metrics.filter((row) => row.metricName.endsWith("_user_facing"));
    expect(facing.map((row) => [row.metricName.replace("_user_facing", ""), row.value, row.attributes])).toEqual(
      plain.map((row) => [row.metricName, row.value, row.attributes]),
    );
    expect(new Set(metrics.map((row) => row.metricName))).toEqual(
      new Set([
        "claude_code.token.usage",
        "claude_code.token.usage_user_facing",
        "claude_code.cost.usage",
        "claude_code.cost.usage_user_facing",
      ]),
    );
  });

  test("a file with two sessionIds (resume) attributes each response to its line's session", async () => {
    const parsed = await parseAll(claudeSource, [join(SAMPLES, "claude-code/vibecodingtracker/test_conversation.jsonl")]);
    const sessions = new Set(mergeEvents(parsed).logs.map((row) => row.attributes["session.id"]));
    expect(sessions.size).toBe(2);
  });

  test("costUSD (≤1.0.8 lines) is used as the cost in auto mode", async () => {
    const parsed = await parseAll(claudeSource, [join(SAMPLES, "claude-code/ccusage/projects/project-alpha/session-alpha/chat.jsonl")]);
    const costs = mergeEvents(parsed).metrics.filter((row) => row.metricName === "claude_code.cost.usage").map((row) => row.value);
    expect(costs).toEqual([0.12, 0.34, 0.56]);
  });
});

const PROJECT = join(FIXTURES, "claude/projects/-home-dev-app");
const MAIN = join(PROJECT, "11111111-1111-4111-8111-111111111111.jsonl");
const RESUMED = join(PROJECT, "22222222-2222-4222-8222-222222222222.jsonl");
const SUBAGENT = join(PROJECT, "11111111-1111-4111-8111-111111111111/subagents/agent-a1.jsonl");

describe("Claude Code dedup and skipping", () => {
  test("a response split over several lines counts once, with its final output and its first line's time", async () => {
    const parsed = await parseAll(claudeSource, [MAIN]);
    const event = parsed[0]!.events.find((candidate) => candidate.key === "claude:msg_A")!;
    expect(event.timestamp).toBe("2026-01-02 10:00:01.123456");
    expect(event.logs).toHaveLength(1);
    const outputs = event.metrics.filter((row) => row.metricName === "claude_code.token.usage" && row.attributes["type"] === "output");
    expect(outputs.map((row) => row.value)).toEqual([167]);
  });

  test("without requestId the message id alone dedups (gateway lines)", async () => {
    const parsed = await parseAll(claudeSource, [MAIN]);
    const events = parsed[0]!.events.filter((event) => event.key === "claude:chatcmpl-B");
    expect(events).toHaveLength(1);
    expect(events[0]!.logs[0]!.attributes["request_id"]).toBeUndefined();
    expect(tokenTotals(parsed)[`token.usage|output|${SONNET_45}`]).toBe(167 + 50 + 6);
  });

  test("toolUseResult.usage and <synthetic> lines are never counted; a lone-surrogate line is", async () => {
    const parsed = await parseAll(claudeSource, [MAIN]);
    expect(parsed[0]!.events.map((event) => event.key)).toEqual(["claude:msg_A", "claude:chatcmpl-B", "claude:msg_C"]);
    expect(tokenTotals(parsed)[`token.usage|input|${SONNET_45}`]).toBe(3 + 100 + 5);
    expect(mergeEvents(parsed).unpricedModels).toEqual([]);
    expect(parsed[0]!.badLines).toBe(0);
  });

  test.each(permutations([MAIN, RESUMED, SUBAGENT]).map((order) => [order.map((path) => path.slice(-12)).join(" "), order]))(
    "resumed copies and subagent replays count once, in any file order (%s)",
    async (_name, order) => {
      const parsed = await parseAll(claudeSource, order as string[]);
      expect(tokenTotals(parsed)).toEqual({
        [`token.usage|input|${SONNET_45}`]: 155,
        [`token.usage|output|${SONNET_45}`]: 313,
        [`token.usage|cacheCreation|${SONNET_45}`]: 1000,
        [`token.usage|cacheRead|${SONNET_45}`]: 2000,
      });
      const logs = mergeEvents(parsed).logs.filter((row) => !isTranscriptRow(row));
      expect(logs).toHaveLength(5);
      const parentCopy = logs.find((row) => row.attributes["request_id"] === "req_A")!;
      expect(parentCopy.timestamp).toBe("2026-01-02 10:00:01.123456");
      expect(parentCopy.attributes["agent.id"]).toBeUndefined();
      expect(logs.find((row) => row.attributes["request_id"] === "req_SUB2")!.attributes["agent.id"]).toBe("a1");
    },
  );

  test("rows carry the Go attribute keys", async () => {
    const parsed = await parseAll(claudeSource, [SUBAGENT]);
    const { logs, metrics } = mergeEvents(parsed);
    expect(logs.map((row) => row.attributes["request_id"])).toEqual(["req_SUB1", "req_SUB2"]);
    expect(logs[1]!.attributes).toEqual({
      "event.name": "claude_code.api_request",
      "session.id": "11111111-1111-4111-8111-111111111111",
      model: SONNET_45,
      import_source: "local_jsonl",
      cwd: "/home/dev/app",
      request_id: "req_SUB2",
      "agent.id": "a1",
      // Go's main (PR #11): the session's repository (its folder's name here) and branch on every row
      repository: "app",
      git_branch: "main",
    });
    expect(logs[1]).toMatchObject({ serviceName: "claude-code", severityText: "INFO", severityNumber: 9, body: "api_request" });
    expect(metrics.at(-1)!.attributes).toEqual({
      model: SONNET_45,
      import_source: "local_jsonl",
      "session.id": "11111111-1111-4111-8111-111111111111",
      "agent.id": "a1",
      repository: "app",
      git_branch: "main",
    });
  });
});

describe("Claude Code discovery", () => {
  test("finds transcripts and subagent transcripts, not journals or meta files", async () => {
    const { files, failed } = await claudeSource.discover([join(FIXTURES, "claude/projects"), join(FIXTURES, "missing")]);
    expect(failed).toEqual([]); // a missing default folder is no failure
    // Lexical order, as Go's filepath.Walk: the directory `<sid>` sorts before `<sid>.jsonl`.
    expect(files.map((file) => file.path.slice(PROJECT.length + 1))).toEqual([
      "11111111-1111-4111-8111-111111111111/subagents/agent-a1.jsonl",
      "11111111-1111-4111-8111-111111111111.jsonl",
      "22222222-2222-4222-8222-222222222222.jsonl",
    ]);
    expect(files[0]!.size).toBeGreaterThan(0);
  });

  test.each([
    [{ AI_OBSERVER_CLAUDE_PATH: " /a , ,/b " }, ["/a", "/b"]],
    [{}, ["/h/.config/claude/projects", "/h/.claude/projects"]],
    [{ CLAUDE_CONFIG_DIR: "/c1,/c2/projects" }, ["/c1/projects", "/c2/projects", "/h/.config/claude/projects", "/h/.claude/projects"]],
    [{ XDG_CONFIG_HOME: "/x" }, ["/x/claude/projects", "/h/.claude/projects"]],
    [{ AI_OBSERVER_CLAUDE_PATH: " , " }, ["/h/.config/claude/projects", "/h/.claude/projects"]],
  ])("roots for %j", (env, roots) => {
    expect(claudeRoots(env, "/h")).toEqual(roots);
  });
});

describe("Claude Code 2026 shapes (fixture test/fixtures/claude/2026/advisor, written from session-formats-2026.md)", () => {
  const FILE = join(FIXTURES, "claude/2026/advisor/aaaaaaaa-0000-4000-8000-000000000001.jsonl");

  test("an advisor call counts as its own model's usage, once, beside the response's (which leaves it out)", async () => {
    const parsed = await parseAll(claudeSource, [FILE]);
    const totals = mergedTotals(parsed);
    // The response (two copies, one per content block): the top-level usage only.
    expect(totals["token.usage|input|claude-sonnet-4-6"]).toBe(4);
    expect(totals["token.usage|output|claude-sonnet-4-6"]).toBe(900);
    expect(totals["token.usage|cacheRead|claude-sonnet-4-6"]).toBe(543544);
    expect(totals["token.usage|cacheCreation|claude-sonnet-4-6"]).toBe(8131);
    // The advisor: its own usage, its own model, once.
    expect(totals["token.usage|input|claude-opus-4-7"]).toBe(235169 + 10);
    expect(totals["token.usage|output|claude-opus-4-7"]).toBe(7805 + 20);
    const advisorRows = mergeEvents(parsed).metrics.filter((row) => row.attributes["iteration"] === "advisor" && row.metricName === "claude_code.token.usage");
    expect(advisorRows.map((row) => [row.attributes["type"], row.value])).toEqual([["input", 235169], ["output", 7805]]);
  });

  test("costs: the response at claude-sonnet-4-6's prices, the advisor at claude-opus-4-7's, 1-hour cache writes at 2 x input", async () => {
    const parsed = await parseAll(claudeSource, [FILE]);
    const totals = mergedTotals(parsed);
    // sonnet-4-6: 4 x 3e-6 + 900 x 15e-6 + 8131 x 3.75e-6 + 543544 x 0.3e-6 (no long-context tier in the catalogue)
    expect(totals["cost.usage||claude-sonnet-4-6"]).toBeCloseTo(0.000012 + 0.0135 + 0.03049125 + 0.1630632, 12);
    // opus-4-7 advisor: 235169 x 5e-6 + 7805 x 25e-6; the cached response: 10 x 5e-6 + 20 x 25e-6 + 1000 x 6.25e-6 (5 min)
    // + 2000 x 10e-6 (1 hour) + 1000 x 0.5e-6
    expect(totals["cost.usage||claude-opus-4-7"]).toBeCloseTo(1.175845 + 0.195125 + (0.00005 + 0.0005 + 0.00625 + 0.02 + 0.0005), 12);
    expect(mergeEvents(parsed).unpricedModels).toEqual([]);
  });

  test("a compaction counts as the response's model's usage beside the top-level usage (which leaves it out), at the request's speed and region (fixture claude/2026/compaction)", async () => {
    const parsed = await parseAll(claudeSource, [join(FIXTURES, "claude/2026/compaction/aaaaaaaa-0000-4000-8000-000000000003.jsonl")]);
    const totals = mergedTotals(parsed);
    expect(totals["token.usage|input|claude-sonnet-4-6"]).toBe(23000 + 180000);
    expect(totals["token.usage|output|claude-sonnet-4-6"]).toBe(1000 + 3500);
    expect(totals["token.usage|input|claude-opus-4-7"]).toBe(100 + 50000);
    const compactions = mergeEvents(parsed).metrics.filter((row) => row.attributes["iteration"] === "compaction" && row.metricName === "claude_code.token.usage");
    expect(compactions.map((row) => [row.attributes["model"], row.attributes["type"], row.value])).toEqual([
      ["claude-sonnet-4-6", "input", 180000],
      ["claude-sonnet-4-6", "output", 3500],
      ["claude-opus-4-7", "input", 50000],
      ["claude-opus-4-7", "output", 2000],
    ]);
    // sonnet-4-6: (23000 + 180000) x 3e-6 + (1000 + 3500) x 15e-6; opus-4-7, fast in the US (x 6 x 1.1): (100 + 50000) x 5e-6 + (200 + 2000) x 25e-6
    expect(totals["cost.usage||claude-sonnet-4-6"]).toBeCloseTo(0.609 + 0.0675, 12);
    expect(totals["cost.usage||claude-opus-4-7"]).toBeCloseTo((0.2505 + 0.055) * 6.6, 12);
    expect(parsed.reduce((sum, file) => sum + file.unknownUsage, 0)).toBe(0);
  });

  test("a fast-mode response in the US region costs 6 x 1.1 its price (fixture claude/2026/fast)", async () => {
    const parsed = await parseAll(claudeSource, [join(FIXTURES, "claude/2026/fast/aaaaaaaa-0000-4000-8000-000000000002.jsonl")]);
    expect(mergedTotals(parsed)["cost.usage||claude-opus-4-7"]).toBeCloseTo((1000 * 5e-6 + 2000 * 25e-6) * 6 * 1.1, 12);
  });
});

describe("Claude Code transcripts (Go 0.3+ transcript.message rows; fixture test/fixtures/claude/transcript)", () => {
  const FILE = join(FIXTURES, "claude/transcript/-home-dev-app/cccccccc-0000-4000-8000-000000000001.jsonl");
  const SESSION = "cccccccc-0000-4000-8000-000000000001";

  test("one row per text, tool call and tool result, in order, with Go's attributes; thinking, images and empty texts skipped", async () => {
    const transcript = await transcriptOf(claudeSource, FILE, SESSION);
    const rows = transcript.rows;
    const common = { ...transcript.common, repository: "app", git_branch: "fix/unicode" };
    const model = { model: "claude-sonnet-4-6" };
    expect(rows.map((row) => [row.timestamp, row.body, row.attributes])).toEqual([
      // a typed prompt (a plain string: the Go importer drops the line), non-ASCII text exact
      ["2026-11-02 09:00:00.000000", "Fix the build — it fails on ünïcode paths", { ...common, "message.index": "0", "message.role": "user" }],
      ["2026-11-02 09:00:04.000000", "I'll run the tests.", { ...common, "message.index": "1", "message.role": "assistant", ...model, "message.id": "msg_c1" }],
      [
        "2026-11-02 09:00:04.000000",
        "Tool call: Bash",
        { ...common, "message.index": "2", "message.role": "tool_use", "tool.name": "Bash", "tool.input": '{"command":"bun test","description":"Run tests"}', ...model, "message.id": "msg_c1" },
      ],
      // text blocks of an array result joined by newlines, the image dropped
      ["2026-11-02 09:00:09.000000", "3 pass\n0 fail", { ...common, "message.index": "3", "message.role": "tool_result", "tool.use_id": "toolu_c1", "tool.output": "3 pass\n0 fail" }],
      [
        "2026-11-02 09:00:12.000000",
        "Tool call: Read",
        { ...common, "message.index": "4", "message.role": "tool_use", "tool.name": "Read", "tool.input": '{"file_path":"/home/dev/app/a.ts"}', ...model, "message.id": "msg_c2" },
      ],
      // an empty result: an empty body (NULL in the tables), no tool.output
      ["2026-11-02 09:00:13.000000", "", { ...common, "message.index": "5", "message.role": "tool_result", "tool.use_id": "toolu_c2" }],
    ]);
  });

  test("the usage is what it was: two responses, and their api_request logs", async () => {
    for (const context of [{}, WITH_TRANSCRIPTS]) {
      const parsed = await parseAll(claudeSource, [FILE], context);
      expect(tokenTotals(parsed)).toEqual({ "token.usage|input|claude-sonnet-4-6": 30, "token.usage|output|claude-sonnet-4-6": 70 });
      expect(mergeEvents(parsed).logs.filter((row) => !isTranscriptRow(row)).map((row) => row.body)).toEqual(["api_request", "api_request"]);
    }
    // Without transcripts (the default), no transcript rows.
    expect(mergeEvents(await parseAll(claudeSource, [FILE])).logs.filter(isTranscriptRow)).toEqual([]);
  });

  test("the same lines in two files (a copy of the session file) give their rows once", async () => {
    const dir = tempDir("claude-transcript-copy");
    const copy = join(dir, "copy.jsonl");
    writeFileSync(copy, readFileSync(FILE));
    const rows = mergeEvents(await parseAll(claudeSource, [FILE, copy], WITH_TRANSCRIPTS)).logs.filter(isTranscriptRow);
    expect(rows).toHaveLength(6);
  });
});

describe("Claude Code activity metrics (Go main's PR #8: pull requests, active time, sessions), with transcripts", () => {
  const FILE = join(FIXTURES, "claude/transcript/-home-dev-app/cccccccc-0000-4000-8000-000000000001.jsonl");

  test("a pull request per distinct repository and number, active time per turn in seconds, one session at the file's first time", async () => {
    const metrics = mergeEvents(await parseAll(claudeSource, [FILE], WITH_TRANSCRIPTS)).metrics.filter((row) => !row.metricName.includes(".token.") && !row.metricName.includes(".cost."));
    const base = { import_source: "local_jsonl", "session.id": "cccccccc-0000-4000-8000-000000000001", git_branch: "fix/unicode", repository: "app" };
    expect(metrics.map((row) => [row.timestamp.slice(11, 19), row.metricName, row.value, row.unit ?? null, row.attributes]).sort()).toEqual(
      [
        // acme/app#42 twice (the repository's case differs): once; acme/lib#7 from its URL; #8 without a valid time: none
        ["09:00:15", "claude_code.pull_request.count", 1, null, { ...base, repository: "acme/app", pr_number: "42", pr_url: "https://github.com/acme/app/pull/42", reconstruction: "pr_link" }],
        ["08:59:00", "claude_code.pull_request.count", 1, null, { ...base, repository: "acme/lib", pr_number: "7", pr_url: "https://github.com/acme/lib/pull/7", reconstruction: "pr_link" }],
        // 13,500 ms; a turn of 0 ms gives none
        ["09:00:14", "claude_code.active_time.total", 13.5, "s", { ...base, type: "cli", reconstruction: "turn_duration" }],
        // the earliest time: the pull request linked before the first prompt
        ["08:59:00", "claude_code.session.count", 1, null, base],
      ].sort(),
    );
    expect(mergeEvents(await parseAll(claudeSource, [FILE])).metrics.filter((row) => row.metricName.includes("session.count"))).toEqual([]);
  });
});

test("Claude Code activity: lines of code and commits of successful tool calls, as Go's main reconstructs them (fixture claude/activity)", async () => {
  const file = join(FIXTURES, "claude/activity/-home-dev-app/dddddddd-0000-4000-8000-0000000000a1.jsonl");
  const metrics = mergeEvents(await parseAll(claudeSource, [file], WITH_TRANSCRIPTS)).metrics.filter((row) => /lines_of_code|commit/.test(row.metricName));
  const base = { import_source: "local_jsonl", "session.id": "dddddddd-0000-4000-8000-0000000000a1", git_branch: "main", repository: "app", reconstruction: "successful_tool_result" };
  const loc = (time: string, type: string, value: number, path: string, fileType: string) =>
    [time, "claude_code.lines_of_code.count", value, { ...base, type, file_type: fileType, file_path: path, model: "claude-opus-4-7" }];
  expect(metrics.map((row) => [row.timestamp.slice(11, 16), row.metricName, row.value, row.attributes])).toEqual([
    // Edit keep/old/keep -> keep/new/keep
    loc("10:02", "added", 1, "src/a.go", ".go"),
    loc("10:02", "removed", 1, "src/a.go", ".go"),
    // Write, created: a\nb\n
    loc("10:04", "added", 2, "notes.md", ".md"),
    // replace_all, counted from its structured patch
    loc("10:06", "added", 2, "src/b.ts", ".ts"),
    loc("10:06", "removed", 2, "src/b.ts", ".ts"),
    // MultiEdit outside the session's folder: its base name
    loc("10:08", "added", 1, "c.py", ".py"),
    loc("10:08", "removed", 1, "c.py", ".py"),
    // git commit printing abc1234, def5678 and abc1234 again: two commits
    ["10:14", "claude_code.commit.count", 1, base],
    ["10:14", "claude_code.commit.count", 1, base],
    // the root commit, from stdout
    ["10:20", "claude_code.commit.count", 1, base],
  ]);
});
