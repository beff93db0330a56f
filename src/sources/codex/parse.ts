import type { ServiceTier } from "../../pricing/catalogue.ts";
import type { GoFootprint } from "../shared/go-footprint.ts";
import { isObject, joinTexts, obj, str, type JsonObject } from "../shared/json.ts";
import { parseTimestamp, type Instant } from "../shared/timestamps.ts";
import { isReset, readTokens, sameTokens, subtractTokens, tokensKey, ZERO_TOKENS, type CodexTokens } from "./totals.ts";
import type { LargeStrings } from "../shared/large-strings.ts";
import type { Text } from "../shared/text.ts";

export interface CodexUsage {
  kind: "usage";
  /** Identity within the session: the cumulative total after this response. */
  identity: string;
  /**
   * A `token_usage_record`'s `<thread_id>:<response_id>`: one model response, whichever file holds it (a fork's,
   * a revert's or a subagent's copy counts once); null for usage from `token_count` totals.
   */
  record: string | null;
  timestamp: Instant;
  model: string;
  /** The thread's processing tier when the response was made (`thread_settings_applied`), `""` for the standard one. */
  serviceTier: ServiceTier | "";
  delta: CodexTokens;
}

export interface CodexMessage {
  kind: "message";
  identity: string;
  timestamp: Instant;
  type: "user_message" | "agent_message";
  /** From an `item_completed` event (paginated threads), not a `user_message`/`agent_message` one. */
  fromItem: boolean;
}

/** A `transcript.message` row (Go 0.3+, go-reference-2026 §2.2) from a `response_item` line. */
export interface CodexTranscript {
  kind: "transcript";
  identity: string;
  timestamp: Instant;
  body: Text;
  role: string;
  /** `message.index`: the file's transcript rows counted from 0. */
  index: number;
  model: string;
  tool: { name?: string; input?: string; output?: Text; callId?: string };
}

export interface CodexSessionStart {
  kind: "session";
  identity: string;
  timestamp: Instant;
  meta: JsonObject;
}

export type CodexItem = CodexUsage | CodexMessage | CodexSessionStart | CodexTranscript;

/** Replayed parent history is re-stamped to the fork instant as a burst of a few ms (ccusage#1370, PR #1501). */
const REPLAY_WINDOW_MICROS = 1_000_000;

const HEAD_BYTES = 256;
const SKIP_TYPES = [Buffer.from('"type":"compacted"')];
/** Conversation items: read only for transcripts. */
const RESPONSE_ITEM = Buffer.from('"type":"response_item"');
/** Before the first `token_usage_record` of a file, `token_count` deltas are counted (a thread begun by an older Codex); closer than this to it, they are its own response's. */
const RECORDS_TAKE_OVER_MICROS = 5_000_000;

const NEEDLES = [
  "session_meta",
  "turn_context",
  "token_count",
  "user_message",
  "agent_message",
  "token_usage_record",
  "item_completed",
  "thread_settings_applied",
  "rollout_reference",
  "response_item",
].map((name) => Buffer.from(`"${name}"`));

function isForkLike(meta: JsonObject): boolean {
  const source = meta["source"];
  return (
    str(meta, "forked_from_id") !== "" ||
    isObject(meta["history_base"]) ||
    str(meta, "parent_thread_id") !== "" ||
    str(meta, "thread_source") === "subagent" ||
    (isObject(source) && source["subagent"] !== undefined)
  );
}

export function parentSessionId(meta: JsonObject): string {
  const spawn = obj(obj(obj(meta, "source"), "subagent"), "thread_spawn");
  return str(meta, "forked_from_id") || str(meta, "parent_thread_id") || str(spawn, "parent_thread_id");
}

/** Whether a rollout line carries token usage: a `token_usage_record`, or a `token_count` event with its `info`. */
function carriesUsage(type: string, payload: JsonObject | undefined): boolean {
  if (!payload) return false;
  if (type === "token_usage_record") return true;
  return type === "event_msg" && str(payload, "type") === "token_count" && isObject(payload["info"]);
}

/**
 * Per-file state machine over rollout lines (envelope `{timestamp,type,payload}`). Counts changes of the
 * cumulative `total_token_usage` only; a fork's or subagent's replayed parent events set the baseline.
 */
export class CodexFileParser {
  readonly items: CodexItem[] = [];
  sessionId = "";
  /** Usage lines in a shape this parser does not know (see `ParsedFile.unknownUsage`). */
  unknownUsage = 0;
  #firstMeta: JsonObject | null = null;

  /** The file's own `session_meta` (its first), if any. */
  get meta(): JsonObject | null {
    return this.#firstMeta;
  }

  #startMicros: number | null = null;
  #foreignHistory = false;
  #model = "";
  #firstRecordMicros: number | null = null;
  #itemMessages = false;
  #eventMessages = false;
  #previous: CodexTokens = ZERO_TOKENS;
  #seenTotal = false;
  /**
   * The file continues a history kept elsewhere (`session_meta.history_base`: a paginated fork or a revert; a
   * `rollout_reference`: a rotated segment): Codex carries the cumulative totals on, so the first total of the file
   * includes usage counted from other files.
   */
  #inheritsTotals = false;
  /** `session_meta.subagent_history_start_ordinal`: lines with a lower `ordinal` are the parent's, copied. */
  #ownFromOrdinal: number | null = null;
  #serviceTier: ServiceTier | "" = "";
  #transcriptIndex = 0;
  #seenLine = false;
  readonly #messageCounts = new Map<string, number>();

  /** Byte pre-filter (`LineSelector`): envelope types we never need are recognised in the first bytes of the line. */
  readonly needles = NEEDLES;

  /**
   * `footprint`: collects the lines the Go importer writes rows from (go-reference §3.5: session_meta, token_count,
   * user and agent messages) whose usage or message this file counts; a fork's replayed parent lines are left out.
   */
  constructor(
    private readonly footprint: GoFootprint | null = null,
    /** Make the transcript rows of `response_item` lines (read only then). */
    private readonly transcripts = false,
    /** A long line's tool output read from its bytes (see CODEX_LARGE_STRING_KEYS). */
    private readonly large: LargeStrings | null = null,
  ) {}

  select(found: number, _length: number, head: Buffer): boolean {
    if (!this.#seenLine) {
      this.#seenLine = true;
      return true;
    }
    const start = head.subarray(0, HEAD_BYTES);
    if (SKIP_TYPES.some((needle) => start.indexOf(needle) >= 0)) return false;
    if (!this.transcripts && start.indexOf(RESPONSE_ITEM) >= 0) return false;
    return found !== 0;
  }

  /** `false`: a line with usage but no valid timestamp (a bad line). */
  record(line: JsonObject): boolean | void {
    const timestamp = parseTimestamp(line["timestamp"]);
    const type = str(line, "type");
    if (type === "" && !this.sessionId && str(line, "id") !== "") {
      this.sessionId = str(line, "id"); // legacy bare rollout: first line is a SessionMeta, no usage follows
      return;
    }
    if (!timestamp) return !carriesUsage(type, obj(line, "payload")); // usage that cannot be placed in time is a bad line
    this.#startMicros ??= timestamp.micros;
    if (type === "rollout_reference") {
      if (!this.#seenTotal) this.#inheritsTotals = true;
      return;
    }
    const payload = obj(line, "payload");
    if (!payload) return;
    if (type === "session_meta") this.#sessionMeta(payload, timestamp);
    else if (type === "turn_context") this.#model = str(payload, "model") || this.#model;
    else if (this.#copiedFromParent(line)) {
      if (type === "event_msg" && str(payload, "type") === "token_count") this.#tokenCount(payload, timestamp, true);
    } else if (type === "event_msg") this.#event(payload, timestamp);
    else if (type === "token_usage_record") this.#usageRecord(payload, timestamp);
    else if (type === "response_item" && this.transcripts) this.#responseItem(payload, timestamp);
  }

  /**
   * A conversation item as the Go importer 0.3+ stores it (go-reference-2026 §2.2): a message's texts, a tool call,
   * its output, a reasoning summary; other items, and empty texts, have no row. A fork's replayed parent items are
   * the parent's (its own file gives them).
   */
  #responseItem(payload: JsonObject, timestamp: Instant): void {
    if (this.#foreignHistory && this.#inReplay(timestamp)) return;
    const type = str(payload, "type");
    const row = (body: Text, role: string, tool: CodexTranscript["tool"] = {}, model = this.#model) => {
      const base = `transcript:${timestamp.text}`;
      const seen = this.#messageCounts.get(base) ?? 0;
      this.#messageCounts.set(base, seen + 1);
      this.items.push({ kind: "transcript", identity: `${base}#${seen}`, timestamp, body, role, index: this.#transcriptIndex++, model, tool });
      this.footprint?.addTranscript(timestamp.text);
    };
    if (type === "message") {
      const text = joinTexts(payload["content"], ["input_text", "output_text"], "text");
      if (text !== "") row(text, str(payload, "role") || "assistant");
    } else if (type === "function_call") {
      const name = str(payload, "name");
      row(`Tool call: ${name}`, "tool_use", { name, input: str(payload, "arguments"), callId: str(payload, "call_id") });
    } else if (type === "function_call_output") {
      const output = payload["output"];
      const large = this.large;
      const text = typeof output === "string" ? (large ? large.text(output) : output) : output === undefined ? "" : JSON.stringify(large ? large.materialize(output) : output);
      row(text, "tool_result", { output: text, callId: str(payload, "call_id") }, "");
    } else if (type === "reasoning") {
      const text = joinTexts(payload["summary"], ["summary_text"], "text");
      if (text !== "") row(text, "assistant");
    }
  }

  /** A line a paginated subagent copied from its parent (below `subagent_history_start_ordinal`). */
  #copiedFromParent(line: JsonObject): boolean {
    const ordinal = line["ordinal"];
    return this.#ownFromOrdinal !== null && typeof ordinal === "number" && ordinal < this.#ownFromOrdinal;
  }

  /**
   * Codex 0.154+: one line per model response, compactions included (whose usage appears nowhere else). Where a file
   * has them, they are the per-response truth (see `finish`).
   */
  #usageRecord(payload: JsonObject, timestamp: Instant): void {
    const usage = obj(payload, "usage");
    const response = str(payload, "response_id");
    if (!usage || !response) {
      this.unknownUsage++;
      return;
    }
    const thread = str(payload, "thread_id") || str(payload, "session_id") || this.sessionId;
    const delta = readTokens(usage);
    const model = str(payload, "model") || this.#model || "unknown";
    this.#firstRecordMicros ??= timestamp.micros;
    this.items.push({ kind: "usage", identity: `record:${thread}:${response}`, record: `${thread}:${response}`, timestamp, model, serviceTier: this.#serviceTier, delta });
  }

  /**
   * The file's usage items once it is read: where it has `token_usage_record`s, its `token_count` deltas are not
   * counted as well, except those well before the first record (the part of a thread an older Codex wrote).
   */
  finish(): CodexItem[] {
    const first = this.#firstRecordMicros;
    // A file with message events has its messages there; completed items are then the same messages again.
    const dropItemMessages = this.#itemMessages && this.#eventMessages;
    if (first === null && !dropItemMessages) return this.items;
    return this.items.filter((item) => {
      if (item.kind === "message") return !(dropItemMessages && item.fromItem);
      return item.kind !== "usage" || first === null || item.record !== null || item.timestamp.micros < first - RECORDS_TAKE_OVER_MICROS;
    });
  }

  #inReplay(timestamp: Instant): boolean {
    const forked = this.#foreignHistory || (this.#firstMeta !== null && isForkLike(this.#firstMeta));
    return forked && timestamp.micros <= (this.#startMicros ?? timestamp.micros) + REPLAY_WINDOW_MICROS;
  }

  #sessionMeta(payload: JsonObject, timestamp: Instant): void {
    const id = str(payload, "id");
    this.#model = str(payload, "model") || this.#model;
    if (this.#firstMeta === null) {
      // Only the first session_meta is the file's own; later ones come with replayed parent history.
      this.#firstMeta = payload;
      this.#startMicros = timestamp.micros;
      this.sessionId ||= id;
      this.footprint?.add(timestamp);
      if (isObject(payload["history_base"])) this.#inheritsTotals = true;
      const ownFrom = payload["subagent_history_start_ordinal"];
      if (typeof ownFrom === "number") this.#ownFromOrdinal = ownFrom;
      this.items.push({ kind: "session", identity: "conversation_starts", timestamp, meta: payload });
    } else if (id !== str(this.#firstMeta, "id")) {
      this.#foreignHistory = true;
    }
  }

  #event(payload: JsonObject, timestamp: Instant): void {
    const type = str(payload, "type");
    if (type === "token_count") this.#tokenCount(payload, timestamp, false);
    else if (type === "thread_settings_applied") this.#threadSettings(obj(payload, "thread_settings"));
    else if (type === "user_message" || type === "agent_message") this.#message(type, timestamp, false);
    else if (type === "item_completed") {
      // Paginated threads (0.151-0.159) write their messages only as completed items (see `finish`).
      const itemType = str(obj(payload, "item"), "type");
      if (itemType === "UserMessage") this.#message("user_message", timestamp, true);
      else if (itemType === "AgentMessage") this.#message("agent_message", timestamp, true);
    }
  }

  /**
   * A snapshot of the thread's settings (0.15x): its model, and its processing tier (`service_tier`: `priority`, its
   * legacy name `fast`, or `flex`; absent or `default`: standard), which prices the responses that follow. Codex
   * records the tier asked for, not the one each response got; a model without the tier's prices is priced standard.
   */
  #threadSettings(settings: JsonObject | undefined): void {
    if (!settings) return;
    this.#model = str(settings, "model") || this.#model;
    const tier = str(settings, "service_tier");
    this.#serviceTier = tier === "priority" || tier === "fast" ? "priority" : tier === "flex" ? "flex" : "";
  }

  #message(type: CodexMessage["type"], timestamp: Instant, fromItem: boolean): void {
    if (this.#foreignHistory && this.#inReplay(timestamp)) return;
    if (fromItem) this.#itemMessages = true;
    else this.#eventMessages = true;
    this.footprint?.add(timestamp);
    const base = `${fromItem ? "item:" : ""}${type}:${timestamp.text}`;
    const seen = this.#messageCounts.get(base) ?? 0;
    this.#messageCounts.set(base, seen + 1);
    this.items.push({ kind: "message", identity: `${base}#${seen}`, timestamp, type, fromItem });
  }

  /** `copied`: the parent's, copied into a subagent's file: it sets the baseline only. */
  #tokenCount(payload: JsonObject, timestamp: Instant, copied: boolean): void {
    const info = obj(payload, "info");
    if (!info) return;
    if (!copied && !this.#inReplay(timestamp)) this.footprint?.add(timestamp);
    const model = str(info, "model") || this.#model || "unknown";
    const total = obj(info, "total_token_usage");
    const last = obj(info, "last_token_usage");
    if (!total) {
      if (!last) {
        this.unknownUsage++; // token_count info in a shape we do not know
        return;
      }
      if (copied) return;
      const delta = readTokens(last);
      this.items.push({ kind: "usage", identity: `last:${timestamp.text}:${tokensKey(delta)}`, record: null, timestamp, model, serviceTier: this.#serviceTier, delta });
      return;
    }
    const current = readTokens(total);
    if (sameTokens(current, this.#previous)) return; // a re-emit: the total did not move
    let delta = subtractTokens(current, this.#previous);
    const first = !this.#seenTotal;
    this.#seenTotal = true;
    this.#previous = current;
    if (copied || this.#inReplay(timestamp)) return; // the parent's usage, replayed: baseline only
    if (first && this.#inheritsTotals) {
      // The total carries on from another file's: only this response's own usage is new.
      if (!last) return;
      delta = readTokens(last);
    } else if (isReset(delta)) delta = last ? readTokens(last) : current;
    this.items.push({ kind: "usage", identity: tokensKey(current), record: null, timestamp, model, serviceTier: this.#serviceTier, delta });
  }
}
