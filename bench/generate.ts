/**
 * Deterministic generator of realistic agent session trees whose true token totals are known.
 *
 *   bun bench/generate.ts --out DIR --claude-mb 400 [--codex-mb N] [--gemini-mb N] [--seed 1]
 *
 * Writes, under DIR:
 *   projects/<project>/<uuid>.jsonl                          Claude Code sessions (and resumed copies)
 *   projects/<project>/<sid>/subagents/agent-<id>.jsonl      Claude Code subagent transcripts (isSidechain)
 *   sessions/YYYY/MM/DD/rollout-<ts>-<uuid>.jsonl            Codex CLI rollouts
 *   tmp/<sha256>/chats/session-<ts>-<sid8>.json(l)           Gemini CLI sessions (legacy documents and JSONL)
 *   totals.json                                              what a correct reader must count
 *
 * Same seed and sizes → byte-identical tree. The totals follow the rules of docs/parsers.md and
 * session-formats.md: a Claude response counts once (by message.id + requestId, which never disagree here),
 * with its final usage; `<synthetic>` lines, `toolUseResult.usage`, broken lines and resumed copies add
 * nothing; Codex counts the final cumulative total of each rollout; Gemini counts each message id once.
 */
import type { GeminiTokens } from "../src/pricing/gemini.ts";
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const GENERATOR_VERSION = 3;

// ---------------------------------------------------------------- PRNG

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = (seed >>> 0) ^ 0x9e3779b9;
  }
  /** mulberry32: uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return (items[items.length - 1] as readonly [T, number])[0];
  }
  /** Skewed towards small values: min + (max-min) * u^k. */
  skewed(min: number, max: number, k = 3): number {
    return Math.floor(min + (max - min) * this.next() ** k);
  }
  hex(n: number): string {
    let out = "";
    while (out.length < n) out += Math.floor(this.next() * 0x100000000).toString(16).padStart(8, "0");
    return out.slice(0, n);
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
  base62(n: number): string {
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let out = "";
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(this.next() * 62)];
    return out;
  }
}

// ---------------------------------------------------------------- text corpus

/** ~2 MB of code-and-prose-like text (BMP only: no lone surrogates when sliced), reused by slicing. */
function buildCorpus(rng: Rng): string {
  const words = [
    "const", "function", "return", "await", "import", "export", "interface", "type", "string", "number",
    "the", "file", "test", "value", "error", "result", "table", "query", "index", "parser", "usage", "token",
    "assistant", "session", "message", "stream", "buffer", "line", "offset", "window", "config", "path",
    "café", "naïve", "→", "—", "“quoted”", "中文", "测试", "ünïcödé", "tab\there", "back\\slash", "\"q\"",
    "{", "}", "(", ")", "[", "]", ";", "=>", "===", "&&", "||", "<div>", "</div>", "// TODO", "# heading",
  ];
  const parts: string[] = [];
  let length = 0;
  while (length < 2_000_000) {
    const lineWords = rng.int(3, 14);
    const line: string[] = [" ".repeat(rng.int(0, 3) * 2)];
    for (let i = 0; i < lineWords; i++) line.push(rng.pick(words));
    const text = line.join(" ") + "\n";
    parts.push(text);
    length += text.length;
  }
  return parts.join("");
}

class Text {
  constructor(
    private readonly corpus: string,
    private readonly rng: Rng,
  ) {}
  /** About `chars` characters of text (the JSON may be slightly longer after escaping). */
  take(chars: number): string {
    const n = Math.min(chars, this.corpus.length - 1);
    const start = this.rng.int(0, this.corpus.length - n - 1);
    return this.corpus.slice(start, start + n);
  }
  /** Long texts: concatenated slices. */
  big(chars: number): string {
    const parts: string[] = [];
    let left = chars;
    while (left > 0) {
      const n = Math.min(left, 1_000_000);
      parts.push(this.take(n));
      left -= n;
    }
    return parts.join("");
  }
}

// ---------------------------------------------------------------- clock

const BASE_MS = Date.UTC(2026, 8, 1, 0, 0, 0); // 2026-09-01
const SPAN_DAYS = 45;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// ---------------------------------------------------------------- totals

export interface ClaudeTokens {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}
export interface CodexTokens {
  input: number;
  output: number;
  cache_read: number;
  reasoning: number;
}
export type { GeminiTokens };

export interface Totals {
  generatorVersion: number;
  seed: number;
  requested: { claudeMb: number; codexMb: number; geminiMb: number };
  claude: {
    files: number;
    bytes: number;
    lines: number;
    /** Distinct billable responses = `api_request` log rows. */
    responses: number;
    /**
     * `transcript.message` rows: one per prompt, text block, tool call and tool result (thinking blocks have none),
     * each line once (a resumed file's copies are the same lines).
     */
    transcriptRows: number;
    /** Assistant lines (all copies, synthetic included). */
    assistantLines: number;
    syntheticLines: number;
    brokenLines: number;
    bigToolResults: number;
    toolResults: number;
    resumedFiles: number;
    subagentFiles: number;
    tokens: ClaudeTokens;
    byModel: Record<string, ClaudeTokens & { responses: number }>;
  };
  codex: { files: number; bytes: number; responses: number; tokenCountEvents: number; tokens: CodexTokens };
  gemini: { files: number; bytes: number; messages: number; tokens: GeminiTokens };
}

// ---------------------------------------------------------------- Claude Code

const CLAUDE_MODELS = [
  ["claude-sonnet-4-5-20250929", 0.6],
  ["claude-opus-4-1-20250805", 0.25],
  ["claude-haiku-4-5-20251001", 0.15],
] as const;

const TOOLS = ["Read", "Bash", "Edit", "Grep", "Glob", "Write", "TodoWrite", "WebFetch"];

interface FileOut {
  path: string;
  lines: string[];
  bytes: number;
  /** Line counts after which a complete response group (and its tool result) ends: safe cut points. */
  boundaries: number[];
}

function newFile(path: string): FileOut {
  return { path, lines: [], bytes: 0, boundaries: [] };
}

function push(file: FileOut, line: string): void {
  file.lines.push(line);
  file.bytes += Buffer.byteLength(line) + 1;
}

function flush(file: FileOut): void {
  mkdirSync(join(file.path, ".."), { recursive: true });
  writeFileSync(file.path, file.lines.join("\n") + "\n");
}

interface SessionContext {
  sessionId: string;
  cwd: string;
  version: string;
  gitBranch: string;
  model: string;
  clock: number;
  parentUuid: string | null;
  isSidechain: boolean;
  agentId?: string;
}

class ClaudeGenerator {
  private readonly totals: Totals["claude"];
  private previous: { file: FileOut; projectDir: string; cwd: string } | null = null;

  constructor(
    private readonly rng: Rng,
    private readonly text: Text,
    private readonly root: string,
    totals: Totals["claude"],
  ) {
    this.totals = totals;
  }

  private tick(ctx: SessionContext, minMs: number, maxMs: number): string {
    ctx.clock += this.rng.int(minMs, maxMs);
    return iso(ctx.clock);
  }

  private envelope(ctx: SessionContext, type: string): Record<string, unknown> {
    const uuid = this.rng.uuid();
    const line: Record<string, unknown> = {
      parentUuid: ctx.parentUuid,
      isSidechain: ctx.isSidechain,
      userType: "external",
      cwd: ctx.cwd,
      sessionId: ctx.sessionId,
      version: ctx.version,
      gitBranch: ctx.gitBranch,
    };
    if (ctx.agentId) line["agentId"] = ctx.agentId;
    line["type"] = type;
    line["uuid"] = uuid;
    ctx.parentUuid = uuid;
    return line;
  }

  private userPrompt(file: FileOut, ctx: SessionContext): void {
    const line = this.envelope(ctx, "user");
    line["message"] = { role: "user", content: this.text.take(this.rng.skewed(20, 2000)) };
    line["timestamp"] = this.tick(ctx, 5_000, 600_000);
    push(file, JSON.stringify(line));
    this.totals.transcriptRows++;
  }

  private count(model: string, tokens: ClaudeTokens): void {
    const t = this.totals;
    t.responses++;
    t.tokens.input += tokens.input;
    t.tokens.output += tokens.output;
    t.tokens.cacheCreation += tokens.cacheCreation;
    t.tokens.cacheRead += tokens.cacheRead;
    const m = (t.byModel[model] ??= { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, responses: 0 });
    m.responses++;
    m.input += tokens.input;
    m.output += tokens.output;
    m.cacheCreation += tokens.cacheCreation;
    m.cacheRead += tokens.cacheRead;
  }

  /** One API response, one line per content block; returns the tool_use block if the response ends in one. */
  private response(file: FileOut, ctx: SessionContext, allowTask: boolean): { id: string; name: string } | null {
    const rng = this.rng;
    const messageId = `msg_01${rng.base62(22)}`;
    const requestId = `req_011C${rng.base62(20)}`;
    const final: ClaudeTokens = {
      input: rng.chance(0.8) ? rng.int(1, 60) : rng.int(100, 8000),
      output: rng.skewed(5, 6000, 2),
      cacheCreation: rng.chance(0.7) ? rng.skewed(0, 40_000, 2) : 0,
      cacheRead: rng.chance(0.9) ? rng.int(4_000, 180_000) : 0,
    };
    const blocks: string[] = [];
    if (rng.chance(0.5)) blocks.push("thinking");
    if (rng.chance(0.8)) blocks.push("text");
    const endsInTool = rng.chance(0.72);
    if (endsInTool) {
      blocks.push("tool_use");
      if (rng.chance(0.15)) blocks.push("tool_use");
    }
    if (blocks.length === 0) blocks.push("text");
    // Older versions repeat a streaming partial on the early lines; newer ones often repeat the final usage.
    const partials = rng.chance(0.7);
    let tool: { id: string; name: string } | null = null;
    const split = rng.next() < 0.7 ? 0.3 : 1;
    for (let i = 0; i < blocks.length; i++) {
      const last = i === blocks.length - 1;
      const kind = blocks[i] as string;
      let block: Record<string, unknown>;
      if (kind === "thinking") {
        block = { type: "thinking", thinking: this.text.take(rng.skewed(100, 6000)), signature: rng.base62(rng.int(300, 1200)) };
      } else if (kind === "text") {
        block = { type: "text", text: this.text.take(rng.skewed(20, 4000)) };
      } else {
        const isTask = allowTask && rng.chance(0.04);
        const name = isTask ? "Task" : rng.pick(TOOLS);
        const id = `toolu_01${rng.base62(22)}`;
        const input = isTask
          ? { description: this.text.take(40), prompt: this.text.take(rng.int(200, 1500)), subagent_type: "general-purpose" }
          : { file_path: `${ctx.cwd}/src/${rng.hex(6)}.ts`, command: this.text.take(rng.skewed(10, 600)) };
        block = { type: "tool_use", id, name, input };
        if (last) tool = { id, name };
      }
      const output = last || !partials ? final.output : Math.max(1, Math.floor(final.output * split * ((i + 1) / blocks.length)));
      const line = this.envelope(ctx, "assistant");
      line["message"] = {
        id: messageId,
        type: "message",
        role: "assistant",
        model: ctx.model,
        content: [block],
        stop_reason: last ? (tool ? "tool_use" : "end_turn") : null,
        stop_sequence: null,
        usage: {
          input_tokens: final.input,
          cache_creation_input_tokens: final.cacheCreation,
          cache_read_input_tokens: final.cacheRead,
          cache_creation: { ephemeral_5m_input_tokens: final.cacheCreation, ephemeral_1h_input_tokens: 0 },
          output_tokens: output,
          service_tier: "standard",
        },
      };
      line["requestId"] = requestId;
      line["timestamp"] = this.tick(ctx, i === 0 ? 1_500 : 50, i === 0 ? 40_000 : 3_000);
      push(file, JSON.stringify(line));
      this.totals.assistantLines++;
      if (kind !== "thinking") this.totals.transcriptRows++;
    }
    this.count(ctx.model, final);
    return tool;
  }

  private toolResult(file: FileOut, ctx: SessionContext, tool: { id: string; name: string }, subagent: { agentId: string; tokens: ClaudeTokens } | null): void {
    const rng = this.rng;
    const big = rng.chance(0.15);
    this.totals.toolResults++;
    if (big) this.totals.bigToolResults++;
    // A big result: 200–500 KB of line bytes, most of it the content (toolUseResult repeats a part of it).
    const size = big ? rng.int(200_000, 500_000) : rng.skewed(50, 6000);
    const contentChars = big ? Math.floor(size * 0.62) : size;
    const line = this.envelope(ctx, "user");
    line["message"] = {
      role: "user",
      content: [{ tool_use_id: tool.id, type: "tool_result", content: this.text.big(contentChars), is_error: rng.chance(0.03) }],
    };
    line["timestamp"] = this.tick(ctx, 100, 20_000);
    if (subagent) {
      // The subagent's own summary: never to be counted (its usage is in the subagent's file).
      line["toolUseResult"] = {
        status: "completed",
        agentId: subagent.agentId,
        totalDurationMs: rng.int(5_000, 300_000),
        totalTokens: subagent.tokens.input + subagent.tokens.output + subagent.tokens.cacheCreation + subagent.tokens.cacheRead,
        totalToolUseCount: rng.int(1, 30),
        usage: {
          input_tokens: subagent.tokens.input,
          cache_creation_input_tokens: subagent.tokens.cacheCreation,
          cache_read_input_tokens: subagent.tokens.cacheRead,
          output_tokens: subagent.tokens.output,
          service_tier: "standard",
        },
        content: [{ type: "text", text: this.text.take(rng.int(100, 3000)) }],
      };
    } else {
      line["toolUseResult"] = big
        ? { type: "text", file: { filePath: `${ctx.cwd}/data/${rng.hex(8)}.json`, content: this.text.big(Math.floor(size * 0.3)) } }
        : { stdout: this.text.take(rng.skewed(0, 800)), stderr: "", interrupted: false, isImage: false };
    }
    push(file, JSON.stringify(line));
    this.totals.transcriptRows++;
  }

  private synthetic(file: FileOut, ctx: SessionContext): void {
    const line = this.envelope(ctx, "assistant");
    line["message"] = {
      id: this.rng.uuid(),
      model: "<synthetic>",
      role: "assistant",
      stop_reason: "stop_sequence",
      stop_sequence: "",
      type: "message",
      usage: {
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        server_tool_use: { web_search_requests: 0 },
        service_tier: null,
      },
      content: [{ type: "text", text: "API Error: 529 {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}" }],
    };
    line["isApiErrorMessage"] = true;
    line["timestamp"] = this.tick(ctx, 100, 5_000);
    push(file, JSON.stringify(line));
    this.totals.assistantLines++;
    this.totals.syntheticLines++;
    this.totals.transcriptRows++;
  }

  private system(file: FileOut, ctx: SessionContext): void {
    const line = this.envelope(ctx, "system");
    line["subtype"] = "turn_duration";
    line["durationMs"] = this.rng.int(1_000, 900_000);
    line["isMeta"] = false;
    line["timestamp"] = this.tick(ctx, 10, 200);
    push(file, JSON.stringify(line));
  }

  /** A truncated copy of an earlier line, a NUL run, or a NUL run glued to a (non-usage) line. */
  private broken(file: FileOut, ctx: SessionContext): void {
    const rng = this.rng;
    const kind = this.totals.brokenLines % 3; // each kind in turn, so that even a small tree has all three
    if (kind === 0 && file.lines.length > 0) {
      const source = file.lines[rng.int(0, file.lines.length - 1)] as string;
      push(file, source.slice(0, Math.max(1, Math.floor(source.length * (0.2 + 0.7 * rng.next())))));
    } else if (kind === 1) {
      push(file, "\u0000".repeat(rng.int(16, 4096)));
    } else {
      const line = this.envelope(ctx, "system");
      line["subtype"] = "informational";
      line["content"] = "recovered after crash";
      line["timestamp"] = this.tick(ctx, 10, 200);
      push(file, "\u0000".repeat(rng.int(8, 512)) + JSON.stringify(line));
    }
    this.totals.brokenLines++;
  }

  /** A subagent transcript; returns its (counted) token sum, which the parent's toolUseResult repeats. */
  private subagent(projectDir: string, parent: SessionContext): { agentId: string; tokens: ClaudeTokens } {
    const rng = this.rng;
    const agentId = rng.hex(8);
    const dir = join(projectDir, parent.sessionId, "subagents");
    const file = newFile(join(dir, `agent-${agentId}.jsonl`));
    const ctx: SessionContext = { ...parent, parentUuid: null, isSidechain: true, agentId, model: rng.chance(0.5) ? parent.model : "claude-haiku-4-5-20251001" };
    const before = { ...this.totals.tokens };
    this.userPrompt(file, ctx);
    const responses = rng.int(3, 25);
    for (let i = 0; i < responses; i++) {
      const tool = this.response(file, ctx, false);
      if (tool) this.toolResult(file, ctx, tool, null);
    }
    parent.clock = ctx.clock;
    flush(file);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `agent-${agentId}.meta.json`), JSON.stringify({ agentType: "general-purpose", spawnDepth: 1 }));
    this.totals.files++;
    this.totals.subagentFiles++;
    this.totals.bytes += file.bytes;
    this.totals.lines += file.lines.length;
    const t = this.totals.tokens;
    return {
      agentId,
      tokens: { input: t.input - before.input, output: t.output - before.output, cacheCreation: t.cacheCreation - before.cacheCreation, cacheRead: t.cacheRead - before.cacheRead },
    };
  }

  /** One session file of about `targetBytes` (its subagent files come on top). */
  /** The project of the last session written (if it has a few responses), for a resumed session to follow it. */
  lastSession(): { projectDir: string; cwd: string } | null {
    if (!this.previous || this.previous.file.boundaries.length <= 2) return null;
    return { projectDir: this.previous.projectDir, cwd: this.previous.cwd };
  }

  session(projectDir: string, cwd: string, targetBytes: number, resume: boolean): void {
    const rng = this.rng;
    const sessionId = rng.uuid();
    const ctx: SessionContext = {
      sessionId,
      cwd,
      version: rng.pick(["2.0.46", "2.0.76", "2.1.12", "2.1.63", "2.1.139"]),
      gitBranch: rng.pick(["main", "main", "dev", "feature/parser", ""]),
      model: rng.weighted(CLAUDE_MODELS),
      clock: BASE_MS + rng.int(0, SPAN_DAYS * 86_400_000),
      parentUuid: null,
      isSidechain: false,
    };
    const file = newFile(join(projectDir, `${sessionId}.jsonl`));

    // Resumed session: a new file that starts with a prefix of the previous session (its own session id kept).
    const prev = this.previous;
    if (resume && prev && prev.projectDir === projectDir && prev.file.boundaries.length > 2) {
      const cut = prev.file.boundaries[rng.int(1, prev.file.boundaries.length - 1)] as number;
      for (let i = 0; i < cut; i++) push(file, prev.file.lines[i] as string);
      ctx.clock = Math.max(ctx.clock, Date.parse(lastTimestamp(prev.file.lines, cut)) + 60_000);
      this.totals.resumedFiles++;
    }
    if (rng.chance(0.3)) push(file, JSON.stringify({ type: "summary", summary: this.text.take(60).replace(/\n/g, " "), leafUuid: rng.uuid() }));
    push(file, JSON.stringify({ type: "file-history-snapshot", messageId: rng.uuid(), snapshot: { trackedFileBackups: {}, timestamp: iso(ctx.clock) }, isSnapshotUpdate: false }));

    // About a third of the files get a broken line at a random step, on top of a rare one anywhere.
    let brokenAt = this.totals.brokenLines < 3 ? 0 : rng.chance(0.35) ? rng.int(0, 10) : -1;
    while (file.bytes < targetBytes) {
      this.userPrompt(file, ctx);
      const steps = rng.int(1, 12);
      for (let s = 0; s < steps; s++) {
        if (rng.chance(0.01)) this.synthetic(file, ctx);
        const tool = this.response(file, ctx, true);
        if (tool) this.toolResult(file, ctx, tool, tool.name === "Task" ? this.subagent(projectDir, ctx) : null);
        if (brokenAt-- === 0 || rng.chance(0.004)) this.broken(file, ctx);
        file.boundaries.push(file.lines.length);
        if (file.bytes >= targetBytes) break;
      }
      if (rng.chance(0.3)) this.system(file, ctx);
    }
    if (rng.chance(0.05)) push(file, JSON.stringify({ type: "summary", summary: "Session wrap-up", leafUuid: ctx.parentUuid }));
    flush(file);
    this.totals.files++;
    this.totals.bytes += file.bytes;
    this.totals.lines += file.lines.length;
    this.previous = { file, projectDir, cwd };
  }
}

function lastTimestamp(lines: string[], end: number): string {
  for (let i = end - 1; i >= 0; i--) {
    const m = /"timestamp":"([^"]+)"/.exec((lines[i] as string).slice(-200)) ?? /"timestamp":"([^"]+)"/.exec(lines[i] as string);
    if (m) return m[1] as string;
  }
  return iso(BASE_MS);
}

function generateClaude(root: string, targetBytes: number, rng: Rng, text: Text, totals: Totals["claude"]): void {
  const generator = new ClaudeGenerator(rng, text, root, totals);
  const projects = Math.max(2, Math.min(40, Math.round(targetBytes / 12e6)));
  const cwds: string[] = [];
  for (let i = 0; i < projects; i++) {
    const name = rng.pick(["api", "web", "cli", "infra", "docs", "ml", "app", "café-site", "my_app.v2"]) + `-${i}`;
    cwds.push(`/home/dev/src/${name}`);
  }
  while (totals.bytes < targetBytes) {
    // `claude --resume`: a new file in the same project that starts with a copy of the previous session.
    const last = generator.lastSession();
    const resume = last !== null && (rng.chance(0.08) || totals.resumedFiles === 0);
    const cwd = resume && last ? last.cwd : rng.pick(cwds);
    const projectDir = join(root, "projects", cwd.replace(/[^a-zA-Z0-9]/g, "-"));
    // Session sizes from tiny to 15 MB, most a few MB.
    const target = Math.min(targetBytes - totals.bytes + 4096, rng.skewed(20_000, 15_000_000, 2.2));
    generator.session(projectDir, cwd, target, resume);
  }
  // A session file that holds only a summary line (seen in real data).
  const lone = newFile(join(root, "projects", cwds[0]!.replace(/[^a-zA-Z0-9]/g, "-"), `${rng.uuid()}.jsonl`));
  push(lone, JSON.stringify({ type: "summary", summary: "Only a summary", leafUuid: rng.uuid() }));
  flush(lone);
  totals.files++;
  totals.bytes += lone.bytes;
  totals.lines += 1;
}

// ---------------------------------------------------------------- Codex CLI

function generateCodex(root: string, targetBytes: number, rng: Rng, text: Text, totals: Totals["codex"]): void {
  while (totals.bytes < targetBytes) {
    const id = rng.uuid();
    let clock = BASE_MS + rng.int(0, SPAN_DAYS * 86_400_000);
    const start = new Date(clock);
    const ymd = start.toISOString().slice(0, 10);
    const stamp = start.toISOString().slice(0, 19).replace(/:/g, "-");
    const path = join(root, "sessions", ymd.slice(0, 4), ymd.slice(5, 7), ymd.slice(8, 10), `rollout-${stamp}-${id}.jsonl`);
    const file = newFile(path);
    const cwd = `/home/dev/src/${rng.pick(["api", "web", "cli"])}-${rng.int(0, 5)}`;
    const t = () => iso((clock += rng.int(20, 20_000)));
    const line = (type: string, payload: unknown) => push(file, JSON.stringify({ timestamp: t(), type, payload }));
    line("session_meta", {
      id,
      timestamp: iso(clock),
      cwd,
      originator: "codex_cli_rs",
      cli_version: rng.pick(["0.46.0", "0.66.0", "0.120.1"]),
      source: "cli",
      model_provider: "openai",
      base_instructions: { text: text.take(rng.int(500, 4000)) },
      git: { commit_hash: rng.hex(40), branch: "main", repository_url: "https://example.com/repo.git" },
    });
    let model = rng.pick(["gpt-5", "gpt-5.1", "gpt-5-codex"]);
    const total = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
    const target = rng.skewed(20_000, 3_000_000, 2);
    while (file.bytes < target) {
      if (rng.chance(0.05)) model = rng.pick(["gpt-5", "gpt-5.1", "gpt-5-codex"]);
      line("turn_context", { cwd, approval_policy: "on-request", sandbox_policy: { mode: "workspace-write" }, model, effort: "medium", summary: "auto" });
      line("event_msg", { type: "user_message", message: text.take(rng.skewed(20, 1500)), images: [] });
      line("response_item", { type: "message", role: "user", content: [{ type: "input_text", text: text.take(rng.skewed(20, 1500)) }] });
      const calls = rng.int(1, 8);
      for (let c = 0; c < calls; c++) {
        line("response_item", { type: "reasoning", summary: [{ type: "summary_text", text: text.take(rng.int(50, 600)) }], encrypted_content: rng.base62(rng.int(200, 2000)) });
        const callId = `call_${rng.base62(24)}`;
        line("response_item", { type: "function_call", name: "shell", arguments: JSON.stringify({ command: ["bash", "-lc", text.take(80)] }), call_id: callId });
        const big = rng.chance(0.05);
        line("response_item", { type: "function_call_output", call_id: callId, output: JSON.stringify({ output: big ? text.big(rng.int(100_000, 300_000)) : text.take(rng.skewed(20, 5000)), metadata: { exit_code: 0 } }) });
        const input = rng.int(2_000, 120_000);
        const cached = Math.floor(input * rng.next() * 0.95);
        const output = rng.skewed(10, 4000, 2);
        const reasoning = Math.floor(output * rng.next() * 0.8);
        const last = { input_tokens: input, cached_input_tokens: cached, output_tokens: output, reasoning_output_tokens: reasoning, total_tokens: input + output };
        total.input_tokens += input;
        total.cached_input_tokens += cached;
        total.output_tokens += output;
        total.reasoning_output_tokens += reasoning;
        total.total_tokens += input + output;
        const info = { total_token_usage: { ...total }, last_token_usage: last, model_context_window: 272000 };
        const rateLimits = { primary: { used_percent: rng.int(0, 100), window_minutes: 300, resets_in_seconds: rng.int(0, 18000) } };
        line("event_msg", { type: "token_count", info, rate_limits: rateLimits });
        totals.tokenCountEvents++;
        totals.responses++;
        // Re-emits: the same cumulative total again (UI / rate-limit refresh) and rate-limit-only updates.
        if (rng.chance(0.5)) {
          line("event_msg", { type: "token_count", info, rate_limits: rateLimits });
          totals.tokenCountEvents++;
        }
        if (rng.chance(0.1)) line("event_msg", { type: "token_count", info: null, rate_limits: rateLimits });
      }
      line("event_msg", { type: "agent_message", message: text.take(rng.skewed(20, 2000)) });
    }
    flush(file);
    totals.files++;
    totals.bytes += file.bytes;
    totals.tokens.input += total.input_tokens;
    totals.tokens.output += total.output_tokens;
    totals.tokens.cache_read += total.cached_input_tokens;
    totals.tokens.reasoning += total.reasoning_output_tokens;
  }
}

// ---------------------------------------------------------------- Gemini CLI

function generateGemini(root: string, targetBytes: number, rng: Rng, text: Text, totals: Totals["gemini"]): void {
  while (totals.bytes < targetBytes) {
    const projectRoot = `/home/dev/src/${rng.pick(["api", "web", "cli"])}-${rng.int(0, 5)}`;
    const projectHash = createHash("sha256").update(projectRoot).digest("hex");
    const sessionId = rng.uuid();
    let clock = BASE_MS + rng.int(0, SPAN_DAYS * 86_400_000);
    const startTime = iso(clock);
    const legacy = rng.chance(0.5);
    const name = `session-${startTime.slice(0, 16).replace(/:/g, "-")}-${sessionId.slice(0, 8)}.${legacy ? "json" : "jsonl"}`;
    const path = join(root, "tmp", projectHash, "chats", name);
    const target = rng.skewed(10_000, 1_500_000, 2);
    const messages: Record<string, unknown>[] = [];
    const records: string[] = [];
    let bytes = 0;
    const record = (value: unknown) => {
      const s = JSON.stringify(value);
      records.push(s);
      bytes += s.length + 1;
    };
    if (!legacy) record({ sessionId, projectHash, startTime, lastUpdated: startTime, kind: "main" });
    const t = () => iso((clock += rng.int(100, 60_000)));
    while (bytes < target) {
      const user = { id: rng.uuid(), timestamp: t(), type: "user", content: [{ text: text.take(rng.skewed(20, 2000)) }] };
      messages.push(user);
      if (!legacy) record(user);
      else bytes += JSON.stringify(user).length;
      const replies = rng.int(1, 5);
      for (let r = 0; r < replies; r++) {
        const input = rng.int(2_000, 200_000);
        const tokens = { input, output: rng.skewed(5, 3000, 2), cached: rng.chance(0.7) ? Math.floor(input * rng.next() * 0.9) : 0, thoughts: rng.chance(0.6) ? rng.int(0, 2000) : 0, tool: rng.chance(0.1) ? rng.int(1, 500) : 0, total: 0 };
        tokens.total = tokens.input + tokens.output + tokens.thoughts + tokens.tool;
        const model = rng.pick(["gemini-2.5-pro", "gemini-2.5-flash", "gemini-3-pro-preview"]);
        const message: Record<string, unknown> = { id: rng.uuid(), timestamp: t(), type: "gemini", content: text.take(rng.skewed(20, 3000)), thoughts: [], tokens, model };
        totals.messages++;
        totals.tokens.input += tokens.input;
        totals.tokens.output += tokens.output;
        totals.tokens.cached += tokens.cached;
        totals.tokens.thoughts += tokens.thoughts;
        totals.tokens.tool += tokens.tool;
        if (!legacy) {
          // Written with tokens, then again in full with its tool calls (last record per id wins).
          record(message);
          if (rng.chance(0.5)) {
            message["toolCalls"] = [{ id: `call-${rng.hex(8)}`, name: "read_file", args: { path: "src/a.ts" }, result: [{ functionResponse: { response: { output: text.take(rng.skewed(50, 20_000)) } } }], status: "success", timestamp: t() }];
            record(message);
          }
          record({ $set: { lastUpdated: iso(clock) } });
        } else {
          bytes += JSON.stringify(message).length;
        }
        messages.push(message);
      }
    }
    const content = legacy ? JSON.stringify({ sessionId, projectHash, startTime, lastUpdated: iso(clock), messages, kind: "main" }, null, 2) : records.join("\n") + "\n";
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, content);
    totals.files++;
    totals.bytes += Buffer.byteLength(content);
  }
}

// ---------------------------------------------------------------- main

export interface GenerateOptions {
  out: string;
  claudeMb: number;
  codexMb: number;
  geminiMb: number;
  seed: number;
}

export function generate(options: GenerateOptions): Totals {
  rmSync(options.out, { recursive: true, force: true });
  mkdirSync(options.out, { recursive: true });
  const rng = new Rng(options.seed);
  const text = new Text(buildCorpus(rng), rng);
  const zeroClaude = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
  const totals: Totals = {
    generatorVersion: GENERATOR_VERSION,
    seed: options.seed,
    requested: { claudeMb: options.claudeMb, codexMb: options.codexMb, geminiMb: options.geminiMb },
    claude: { files: 0, bytes: 0, lines: 0, responses: 0, transcriptRows: 0, assistantLines: 0, syntheticLines: 0, brokenLines: 0, bigToolResults: 0, toolResults: 0, resumedFiles: 0, subagentFiles: 0, tokens: { ...zeroClaude }, byModel: {} },
    codex: { files: 0, bytes: 0, responses: 0, tokenCountEvents: 0, tokens: { input: 0, output: 0, cache_read: 0, reasoning: 0 } },
    gemini: { files: 0, bytes: 0, messages: 0, tokens: { input: 0, output: 0, cached: 0, thoughts: 0, tool: 0 } },
  };
  // Separate streams, so that the Claude tree does not change when the Codex or Gemini size does.
  generateClaude(options.out, options.claudeMb * 1e6, rng, text, totals.claude);
  const codexRng = new Rng(options.seed * 7919 + 1);
  generateCodex(options.out, options.codexMb * 1e6, codexRng, new Text(buildCorpus(codexRng), codexRng), totals.codex);
  const geminiRng = new Rng(options.seed * 104729 + 2);
  generateGemini(options.out, options.geminiMb * 1e6, geminiRng, new Text(buildCorpus(geminiRng), geminiRng), totals.gemini);
  writeFileSync(join(options.out, "totals.json"), JSON.stringify(totals, null, 2) + "\n");
  return totals;
}

function parseArgs(argv: string[]): GenerateOptions {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = get("out");
  if (!out) {
    console.error("usage: bun bench/generate.ts --out DIR --claude-mb 400 [--codex-mb N] [--gemini-mb N] [--seed 1]");
    process.exit(2);
  }
  const claudeMb = Number(get("claude-mb") ?? 400);
  return {
    out,
    claudeMb,
    codexMb: Number(get("codex-mb") ?? Math.max(1, Math.round(claudeMb / 20))),
    geminiMb: Number(get("gemini-mb") ?? Math.max(1, Math.round(claudeMb / 40))),
    seed: Number(get("seed") ?? 1),
  };
}

if (import.meta.main) {
  const options = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const totals = generate(options);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `generated ${options.out} in ${seconds}s: claude ${totals.claude.files} files ${(totals.claude.bytes / 1e6).toFixed(1)} MB ` +
      `${totals.claude.responses} responses; codex ${totals.codex.files} files ${(totals.codex.bytes / 1e6).toFixed(1)} MB; ` +
      `gemini ${totals.gemini.files} files ${(totals.gemini.bytes / 1e6).toFixed(1)} MB`,
  );
}
