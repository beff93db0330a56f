import { allAscii, isObject, latin1ToUtf8, num, obj, optNum, str, type JsonObject } from "../shared/json.ts";
import type { LineSelector } from "../shared/jsonl.ts";
import { parseTimestamp, type Instant } from "../shared/timestamps.ts";

/** One `type:"assistant"` line with `message.usage`, reduced to what the rows need. */
export interface ClaudeResponse {
  key: string;
  rank: number;
  timestamp: Instant;
  sessionId: string;
  messageId: string;
  requestId: string;
  model: string;
  cwd: string;
  /** The line's `gitBranch` (`""` when absent). */
  gitBranch: string;
  agentId: string;
  isSidechain: boolean;
  costUSD: number | undefined;
  /** `cacheCreation1h`: of the cache writes, the 1-hour ones (priced apart; not a metric type of its own). */
  tokens: ClaudeUsage;
  /**
   * Model calls behind this response that the top-level usage leaves out (`usage.iterations[]` of type
   * `advisor_message` or `compaction`).
   */
  sideCalls: SideCall[];
  /** `usage.iterations[]` holds a type we do not know (the top-level usage is still counted). */
  unknownIterations: boolean;
}

export interface ClaudeUsage {
  input: number;
  output: number;
  cacheCreation: number;
  cacheCreation1h: number;
  cacheRead: number;
  /** `usage.speed` (`"fast"`: fast mode) and `usage.inference_geo`, which change the price; `""` when absent. */
  speed: string;
  inferenceGeo: string;
}

/** `advisor`: a call to another model (its own `model`); `compaction`: the API's summary of older turns, by the response's model. */
interface SideCall {
  kind: "advisor" | "compaction";
  model: string;
  tokens: ClaudeUsage;
}

const NO_SIDE_CALLS: SideCall[] = [];

export function usageOf(usage: JsonObject): ClaudeUsage {
  return {
    input: num(usage, "input_tokens"),
    output: num(usage, "output_tokens"),
    cacheCreation: cacheCreationTokens(usage),
    cacheCreation1h: num(obj(usage, "cache_creation"), "ephemeral_1h_input_tokens"),
    cacheRead: num(usage, "cache_read_input_tokens"),
    speed: str(usage, "speed"),
    inferenceGeo: str(usage, "inference_geo"),
  };
}

interface Iterations {
  sideCalls: SideCall[];
  /** One of them has a type we do not know. */
  unknown: boolean;
}

const NO_ITERATIONS: Iterations = { sideCalls: NO_SIDE_CALLS, unknown: false };

/**
 * What `usage.iterations` (Claude Code, from about May 2026) holds beyond the top-level usage, in one pass: the calls
 * not included in the top-level usage (which sums the `message` iterations), advisor calls with their own model and
 * compactions by the response's model in the same request (so with its speed and inference region unless the entry
 * has its own); and whether any entry is of a type we do not know (`KNOWN_ITERATIONS`).
 */
export function readIterations(usage: JsonObject, model: string, request: ClaudeUsage): Iterations {
  const iterations = usage["iterations"];
  if (!Array.isArray(iterations)) return NO_ITERATIONS;
  const sideCalls: SideCall[] = [];
  let unknown = false;
  for (const iteration of iterations) {
    const type = isObject(iteration) ? str(iteration, "type") : "";
    if (type === "advisor_message") sideCalls.push({ kind: "advisor", model: str(iteration, "model"), tokens: usageOf(iteration) });
    else if (type === "compaction") {
      const tokens = usageOf(iteration);
      tokens.speed ||= request.speed;
      tokens.inferenceGeo ||= request.inferenceGeo;
      sideCalls.push({ kind: "compaction", model: str(iteration, "model") || model, tokens });
    } else if (!KNOWN_ITERATIONS.has(type)) unknown = true;
  }
  return sideCalls.length === 0 && !unknown ? NO_ITERATIONS : { sideCalls, unknown };
}

const USAGE = Buffer.from('"usage"');
const ASSISTANT = Buffer.from('"assistant"');
const MESSAGE = Buffer.from('"message"');
/** A parent's own copy outranks a subagent transcript's replay of it, whatever the token counts. */
const MAIN_THREAD_RANK = 2 ** 40;

/** Byte pre-filter for usage only: lines that mention both `"usage"` and `"assistant"` are parsed. */
export const CLAUDE_SELECTOR: LineSelector & { elide: Buffer } = {
  needles: [USAGE, ASSISTANT],
  all: true,
  // message.content (text, thinking, tool calls) is most of an assistant line and nothing we count.
  elide: Buffer.from('"content":'),
};

/**
 * Byte pre-filter with transcripts: every line with a `message` (user and assistant lines, the responses among them),
 * and the `pr-link` and `turn_duration` lines of the activity metrics.
 */
export const CLAUDE_TRANSCRIPT_SELECTOR: LineSelector = {
  needles: [MESSAGE, Buffer.from('"pr-link"'), Buffer.from('"turn_duration"')],
  select: anyNeedleFound,
};

/**
 * A response read from the Latin-1 reading of `line` (`JsonlHandler.recordLatin1`), made exact: `false` unless every
 * string the rows take is ASCII, except `cwd` (non-ASCII folder names are common), which is decoded here.
 */
export function fromLatin1(response: ClaudeResponse, line: Buffer): boolean {
  if (!allAscii(response.key, response.sessionId, response.messageId, response.requestId, response.model, response.agentId, response.gitBranch)) return false;
  for (const call of response.sideCalls) if (!allAscii(call.model)) return false;
  if (allAscii(response.cwd)) return true;
  const cwd = latin1ToUtf8(response.cwd, line);
  if (cwd === null) return false;
  response.cwd = cwd;
  return true;
}

export function cacheCreationTokens(usage: JsonObject): number {
  if (typeof usage["cache_creation_input_tokens"] === "number") return num(usage, "cache_creation_input_tokens");
  const split = obj(usage, "cache_creation");
  return split ? num(split, "ephemeral_5m_input_tokens") + num(split, "ephemeral_1h_input_tokens") : 0;
}

/**
 * The identity of an API response is `message.id`: the copies of one response (one line per content block,
 * resumed-session copies, subagent replays with another `requestId`) share it. Without an id, the line's uuid.
 */
export function responseKey(messageId: string, line: JsonObject, sessionId: string, timestamp: Instant, tokens: number[]): string {
  if (messageId) return `claude:${messageId}`;
  const uuid = str(line, "uuid");
  if (uuid) return `claude:uuid:${uuid}`;
  return `claude:line:${sessionId}:${timestamp.text}:${tokens.join("/")}`;
}

export function positiveSum(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) if (value > 0) sum += value;
  return sum;
}

/** A response with usage but no valid timestamp: it cannot be placed in time, and counts as a bad line. */
export const UNDATED = "undated";
/** A response whose `usage` has none of the token fields we know: the format moved on (reported, not counted). */
export const UNKNOWN_USAGE = "unknown-usage";

const TOKEN_FIELDS = ["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation"];

/** Whether `usage` has one of the token fields we know. */
export function hasTokenField(usage: object): boolean {
  for (const field of TOKEN_FIELDS) if (field in usage) return true;
  return false;
}

/** The tokens of a response's side calls (advisor, compaction), for its rank. */
export function sideCallTokens(sideCalls: readonly SideCall[]): number {
  let sum = 0;
  for (const { tokens } of sideCalls) sum += positiveSum([tokens.input, tokens.output, tokens.cacheCreation, tokens.cacheRead]);
  return sum;
}

/**
 * `message` and `iteration` entries are the calls the top-level usage sums; `advisor_message` and `compaction` are
 * counted on their own (`readIterations`). Others (`fallback_message`: in the API, its accounting not established) are
 * reported as unknown.
 */
const KNOWN_ITERATIONS = new Set(["message", "iteration", "advisor_message", "compaction"]);

/** `null` for lines that are not a billable response (other types, no usage, `<synthetic>`); `UNDATED` for one without a valid timestamp. */
export function toClaudeResponse(line: JsonObject): ClaudeResponse | typeof UNDATED | typeof UNKNOWN_USAGE | null {
  const message = obj(line, "message");
  if (!message) return null;
  const type = str(line, "type");
  // ccusage-style minimal lines have no top-level type; the role says what they are.
  if (type !== "assistant" && !(type === "" && str(message, "role") === "assistant")) return null;
  const usage = message["usage"];
  if (!isObject(usage)) return null;
  const model = str(message, "model");
  if (model === "<synthetic>") return null;
  if (!hasTokenField(usage)) return UNKNOWN_USAGE;
  const timestamp = parseTimestamp(line["timestamp"]);
  if (!timestamp) return UNDATED;
  const tokens = usageOf(usage);
  const { sideCalls, unknown: unknownIterations } = readIterations(usage, model, tokens);
  const counts = [tokens.input, tokens.output, tokens.cacheCreation, tokens.cacheRead];
  const sessionId = str(line, "sessionId") || str(line, "session_id");
  const messageId = str(message, "id");
  const isSidechain = line["isSidechain"] === true;
  return {
    key: responseKey(messageId, line, sessionId, timestamp, counts),
    rank: (isSidechain ? 0 : MAIN_THREAD_RANK) + positiveSum(counts) + sideCallTokens(sideCalls),
    timestamp,
    sessionId,
    messageId,
    requestId: str(line, "requestId"),
    model,
    cwd: str(line, "cwd"),
    gitBranch: str(line, "gitBranch"),
    agentId: str(line, "agentId"),
    isSidechain,
    costUSD: optNum(line, "costUSD"),
    tokens,
    sideCalls,
    unknownIterations,
  };
}

/** The copies of one response within a file: the most complete usage, with the first copy's timestamp. */
export interface ResponseGroup {
  first: Instant;
  best: ClaudeResponse;
}

export function addResponse(groups: Map<string, ResponseGroup>, response: ClaudeResponse): void {
  const group = groups.get(response.key);
  if (!group) groups.set(response.key, { first: response.timestamp, best: response });
  else if (response.rank > group.best.rank) group.best = response;
}

/** The Claude parser's line selector: a line holding any of its needles. */
export function anyNeedleFound(found: number): boolean {
  return found !== 0;
}
