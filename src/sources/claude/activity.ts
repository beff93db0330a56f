import { basename, extname } from "node:path";
import { isObject, str, type JsonObject } from "../shared/json.ts";
import type { LargeStrings } from "../shared/large-strings.ts";
import { IMPORT_SOURCE, metricRow, plainEvent } from "../shared/rows.ts";
import { type Instant, parseTimestamp } from "../shared/timestamps.ts";
import type { MetricRow, UsageEvent } from "../types.ts";
import { runsGitCommit } from "./git-commit.ts";
import { lineDiff, splitLines } from "./line-diff.ts";
import { CLAUDE_SERVICE } from "./to-rows.ts";
import { resultText, resultTextStartsWith } from "./transcript.ts";

const GITHUB_PR = /^https?:\/\/github\.com\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\/pull\/\d+/;
/** `git commit`'s summary line: `[main abc1234] message`, `[main (root-commit) abc1234] message`. */
const COMMIT_HASH = /^\[[^\]\r\n]+ ([0-9a-f]{7,64})\](?: |$)/gm;
const EDITS = new Set(["Edit", "Write", "MultiEdit"]);

interface ToolCall {
  name: string;
  input: JsonObject;
  model: string;
}

/**
 * A tool call's result, read when the call counts, and then only what is asked for: an edit's `toolUseResult` holds
 * the whole file before the edit (`originalFile`) and its result text a listing of it, which the count rarely needs
 * (reading all of both from a long line's bytes took ~7% of the 400 MB transcripts export's parse).
 */
interface CallResult {
  text(): string;
  textStartsWith(prefix: string): boolean;
  /** A field of the line's `toolUseResult` when it is this call's alone; undefined otherwise. */
  field(name: string): unknown;
}

/** A field that is a string, else "" (as `str`). */
function textField(result: CallResult, name: string): string {
  const value = result.field(name);
  return typeof value === "string" ? value : "";
}

/** What a successful tool call reconstructs: lines of code of an edit, or the commits of a `git commit`. */
interface CallMetrics {
  key: string;
  time: Instant;
  rows: { name: string; value: number; attributes: Record<string, string> }[];
}

interface PullRequest {
  time: Instant;
  repository: string;
  number: number;
  url: string;
}

/**
 * The activity metrics the Go AI Observer reconstructs from a Claude Code session file (its `main` after 0.5, PR #8;
 * go-reference-2026 §2.1): `claude_code.pull_request.count` per distinct `pr-link` line,
 * `claude_code.active_time.total` per `system`/`turn_duration` line (seconds, MetricUnit `s`),
 * `claude_code.lines_of_code.count` (added, removed) per successful Edit, Write or MultiEdit call,
 * `claude_code.commit.count` per commit a successful Bash `git commit` printed, and one `claude_code.session.count`
 * at the file's first time (of its user and assistant lines and of these metrics). Each carries `session.id` (and,
 * as every row of the file, `repository` and `git_branch`). A call succeeds when its result (matched by tool_use id, once) is not an error and,
 * as the line's only result, was not interrupted and did not exit non-zero.
 */
export class ClaudeActivity {
  #sessionId = "";
  #cwd = "";
  /** Tool calls awaiting their result, by `<session>:<tool_use id>`. */
  readonly #calls = new Map<string, ToolCall | null>();
  readonly #callMetrics: CallMetrics[] = [];
  #first: Instant | null = null;
  readonly #pullRequests = new Map<string, PullRequest>();
  readonly #turns: { time: Instant; seconds: number; id: string }[] = [];

  /** `large`: the strings of a long line left out of its parse, taken back only for the calls that are counted. */
  constructor(
    private readonly fileName: string,
    private readonly large: LargeStrings,
  ) {}

  line(value: JsonObject): void {
    this.#sessionId ||= str(value, "sessionId");
    this.#cwd ||= str(value, "cwd");
    const type = str(value, "type");
    if (type === "pr-link") this.pullRequest(value);
    else if (type === "system" && str(value, "subtype") === "turn_duration") {
      const duration = value["durationMs"];
      const time = parseTimestamp(value["timestamp"]);
      if (typeof duration !== "number" || !(duration > 0) || !time) return;
      this.#turns.push({ time, seconds: duration / 1000, id: str(value, "uuid") || `${time.text}#${this.#turns.length}` });
      this.widen(time);
    } else if ((type === "user" || type === "assistant") && isObject(value["message"])) {
      const time = parseTimestamp(value["timestamp"]);
      if (!time) return;
      this.widen(time);
      const content = value["message"]["content"];
      if (!Array.isArray(content)) return;
      const session = str(value, "sessionId") || this.#sessionId;
      if (type === "assistant") this.toolUses(content, session, str(value["message"], "model"));
      else this.toolResults(content, session, value["toolUseResult"], time);
    }
  }

  private toolUses(content: unknown[], session: string, model: string): void {
    for (const block of content) {
      if (!isObject(block) || str(block, "type") !== "tool_use" || str(block, "id") === "") continue;
      const key = `${session}:${str(block, "id")}`;
      if (this.#calls.has(key)) continue; // the first registration wins
      const name = str(block, "name");
      const input = (name === "Bash" || EDITS.has(name)) && isObject(block["input"]) ? this.large.materialize(block["input"]) : {};
      this.#calls.set(key, { name, input, model });
    }
  }

  private toolResults(content: unknown[], session: string, toolUseResult: unknown, time: Instant): void {
    const results = content.filter((block): block is JsonObject => isObject(block) && str(block, "type") === "tool_result");
    const single = results.length === 1 && isObject(toolUseResult) ? toolUseResult : null;
    for (const block of results) {
      const id = str(block, "tool_use_id");
      const key = `${session}:${id}`;
      const call = this.#calls.get(key);
      if (!call) continue;
      this.#calls.set(key, null); // completed, once
      if (block["is_error"] === true) continue;
      if (single && (single["interrupted"] === true || (typeof single["exitCode"] === "number" && single["exitCode"] !== 0))) continue;
      // The result's text and the whole toolUseResult are read (from a long line's bytes) only for a call that counts.
      const result: CallResult = {
        text: () => String(resultText(block["content"], this.large)),
        textStartsWith: (prefix) => resultTextStartsWith(block["content"], prefix, this.large),
        field: (name) => (single === null ? undefined : this.large.materialize(single[name])),
      };
      const rows = call.name === "Bash" ? this.commits(call, result) : EDITS.has(call.name) ? this.linesOfCode(call, result) : [];
      if (rows.length > 0) this.#callMetrics.push({ key: `${session}:${id}`, time, rows });
    }
  }

  private commits(call: ToolCall, result: CallResult): CallMetrics["rows"] {
    const command = call.input["command"];
    if (typeof command !== "string" || !runsGitCommit(command)) return [];
    const output = textField(result, "stdout") || result.text();
    const hashes = new Set([...output.matchAll(COMMIT_HASH)].map((match) => match[1] as string));
    return [...hashes].map(() => ({ name: "claude_code.commit.count", value: 1, attributes: { reconstruction: "successful_tool_result" } }));
  }

  private linesOfCode(call: ToolCall, result: CallResult): CallMetrics["rows"] {
    const path = str(call.input, "file_path");
    if (path === "") return [];
    const filePath = textField(result, "filePath");
    if (filePath !== "" && filePath !== path) return [];
    const counted = linesOfCode(call, result);
    if (!counted) return [];
    const attributes = { file_type: extname(path), file_path: this.relative(path), model: call.model, reconstruction: "successful_tool_result" };
    const rows: CallMetrics["rows"] = [];
    if (counted.added > 0) rows.push({ name: "claude_code.lines_of_code.count", value: counted.added, attributes: { type: "added", ...attributes } });
    if (counted.removed > 0) rows.push({ name: "claude_code.lines_of_code.count", value: counted.removed, attributes: { type: "removed", ...attributes } });
    return rows;
  }

  /** The path relative to the session's folder; its base name when it lies outside (or there is none). */
  private relative(path: string): string {
    const cwd = this.#cwd.replace(/[\\/]+$/, "");
    if (cwd !== "" && (path.startsWith(`${cwd}/`) || path.startsWith(`${cwd}\\`))) return path.slice(cwd.length + 1);
    return basename(path);
  }

  private pullRequest(value: JsonObject): void {
    const number = value["prNumber"];
    const time = parseTimestamp(value["timestamp"]);
    if (typeof number !== "number" || !Number.isInteger(number) || number <= 0 || !time) return;
    const url = str(value, "prUrl");
    const fromUrl = GITHUB_PR.exec(url);
    const repository = str(value, "prRepository").trim() || (fromUrl ? `${fromUrl[1]}/${fromUrl[2]}` : "");
    if (repository === "") return;
    const key = `${repository.toLowerCase()}#${number}`;
    if (this.#pullRequests.has(key)) return;
    this.#pullRequests.set(key, { time, repository, number, url });
    this.widen(time);
  }

  private widen(time: Instant): void {
    if (this.#first === null || time.micros < this.#first.micros) this.#first = time;
  }

  events(): UsageEvent[] {
    const session = this.#sessionId || this.fileName.replace(/\.jsonl$/, "");
    // `git_branch` and `repository` are added to every row of the file (shared/attribution.ts).
    const base = (): Record<string, string> => ({ import_source: IMPORT_SOURCE, "session.id": session });
    const events: UsageEvent[] = [];
    const push = (key: string, time: Instant, row: MetricRow) => events.push(plainEvent(key, time.text, [], [row]));
    for (const [key, pr] of this.#pullRequests) {
      const attributes = { ...base(), repository: pr.repository, pr_number: String(pr.number), pr_url: pr.url, reconstruction: "pr_link" };
      push(`claude:activity:pr:${session}:${key}`, pr.time, metricRow(CLAUDE_SERVICE, pr.time.text, "claude_code.pull_request.count", 1, attributes));
    }
    for (const turn of this.#turns) {
      const row = metricRow(CLAUDE_SERVICE, turn.time.text, "claude_code.active_time.total", turn.seconds, { ...base(), type: "cli", reconstruction: "turn_duration" });
      row.unit = "s";
      push(`claude:activity:turn:${session}:${turn.id}`, turn.time, row);
    }
    for (const call of this.#callMetrics) {
      const rows = call.rows.map((row) => metricRow(CLAUDE_SERVICE, call.time.text, row.name, row.value, { ...base(), ...row.attributes }));
      events.push(plainEvent(`claude:activity:call:${call.key}`, call.time.text, [], rows));
    }
    if (this.#first) push(`claude:activity:session:${this.fileName}`, this.#first, metricRow(CLAUDE_SERVICE, this.#first.text, "claude_code.session.count", 1, base()));
    return events;
  }
}

/** Lines added and removed by an edit call (go-reference-2026 §2.1 "LOC"); `null` when it cannot be told. */
function linesOfCode(call: ToolCall, result: CallResult): { added: number; removed: number } | null {
  const patch = result.field("structuredPatch");
  if (patch !== undefined && patch !== null) {
    if (!Array.isArray(patch)) return null;
    let added = 0;
    let removed = 0;
    for (const hunk of patch) {
      const lines = isObject(hunk) ? hunk["lines"] : null;
      if (!Array.isArray(lines)) continue;
      for (const line of lines) {
        if (typeof line !== "string") return null;
        if (line.startsWith("+")) added++;
        else if (line.startsWith("-")) removed++;
        else if (!line.startsWith(" ") && !line.startsWith("\\")) return null;
      }
    }
    return { added, removed };
  }
  const input = call.input;
  if (call.name === "Edit") return input["replace_all"] === true ? null : lineDiff(str(input, "old_string"), str(input, "new_string"));
  if (call.name === "Write") {
    const content = str(input, "content");
    if (result.field("type") === "create" || result.textStartsWith("File created successfully")) return { added: splitLines(content).length, removed: 0 };
    const original = result.field("originalFile");
    return typeof original === "string" ? lineDiff(original, content) : null;
  }
  const edits = input["edits"];
  if (!Array.isArray(edits)) return null;
  let added = 0;
  let removed = 0;
  for (const edit of edits) {
    if (!isObject(edit) || edit["replace_all"] === true) return null;
    const diff = lineDiff(str(edit, "old_string"), str(edit, "new_string"));
    if (!diff) return null;
    added += diff.added;
    removed += diff.removed;
  }
  return { added, removed };
}
