import { isObject, obj, str, type JsonObject } from "../shared/json.ts";
import { parseTimestamp, type Instant } from "../shared/timestamps.ts";
import { isReset, readTokens, sameTokens, subtractTokens, tokensKey, ZERO_TOKENS, type CodexTokens } from "./totals.ts";

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

export interface CodexSessionStart {
  kind: "session";
  identity: string;
  timestamp: Instant;
  meta: JsonObject;
}

export type CodexItem = CodexUsage | CodexMessage | CodexSessionStart;

/** Replayed parent history is re-stamped to the fork instant as a burst of a few ms (ccusage#1370, PR #1501). */
export const REPLAY_WINDOW_MICROS = 1_000_000;

const HEAD_BYTES = 256;
const SKIP_TYPES = [Buffer.from('"type":"response_item"'), Buffer.from('"type":"compacted"')];
/** Before the first `token_usage_record` of a file, `token_count` deltas are counted (a thread begun by an older Codex); closer than this to it, they are its own response's. */
const RECORDS_TAKE_OVER_MICROS = 5_000_000;

const NEEDLES = ["session_meta", "turn_context", "token_count", "user_message", "agent_message", "token_usage_record", "item_completed"].map((name) =>
  Buffer.from(`"${name}"`),
);

function isForkLike(meta: JsonObject): boolean {
  const source = meta["source"];
  return (
    str(meta, "forked_from_id") !== "" ||
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
  #startMicros: number | null = null;
  #foreignHistory = false;
  #model = "";
  #firstRecordMicros: number | null = null;
  #itemMessages = false;
  #eventMessages = false;
  #previous: CodexTokens = ZERO_TOKENS;
  #seenLine = false;
  readonly #messageCounts = new Map<string, number>();

  /** Byte pre-filter (`LineSelector`): envelope types we never need are recognised in the first bytes of the line. */
  readonly needles = NEEDLES;

  select(found: number, _length: number, head: Buffer): boolean {
    if (!this.#seenLine) {
      this.#seenLine = true;
      return true;
    }
    const start = head.subarray(0, HEAD_BYTES);
    if (SKIP_TYPES.some((needle) => start.indexOf(needle) >= 0)) return false;
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
    const payload = obj(line, "payload");
    if (!payload) return;
    if (type === "session_meta") this.#sessionMeta(payload, timestamp);
    else if (type === "turn_context") this.#model = str(payload, "model") || this.#model;
    else if (type === "event_msg") this.#event(payload, timestamp);
    else if (type === "token_usage_record") this.#usageRecord(payload, timestamp);
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
    this.items.push({ kind: "usage", identity: `record:${thread}:${response}`, record: `${thread}:${response}`, timestamp, model, delta });
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
      this.items.push({ kind: "session", identity: "conversation_starts", timestamp, meta: payload });
    } else if (id !== str(this.#firstMeta, "id")) {
      this.#foreignHistory = true;
    }
  }

  #event(payload: JsonObject, timestamp: Instant): void {
    const type = str(payload, "type");
    if (type === "token_count") this.#tokenCount(payload, timestamp);
    else if (type === "user_message" || type === "agent_message") this.#message(type, timestamp, false);
    else if (type === "item_completed") {
      // Paginated threads (0.151-0.159) write their messages only as completed items (see `finish`).
      const itemType = str(obj(payload, "item"), "type");
      if (itemType === "UserMessage") this.#message("user_message", timestamp, true);
      else if (itemType === "AgentMessage") this.#message("agent_message", timestamp, true);
    }
  }

  #message(type: CodexMessage["type"], timestamp: Instant, fromItem: boolean): void {
    if (this.#foreignHistory && this.#inReplay(timestamp)) return;
    if (fromItem) this.#itemMessages = true;
    else this.#eventMessages = true;
    const base = `${fromItem ? "item:" : ""}${type}:${timestamp.text}`;
    const seen = this.#messageCounts.get(base) ?? 0;
    this.#messageCounts.set(base, seen + 1);
    this.items.push({ kind: "message", identity: `${base}#${seen}`, timestamp, type, fromItem });
  }

  #tokenCount(payload: JsonObject, timestamp: Instant): void {
    const info = obj(payload, "info");
    if (!info) return;
    const model = str(info, "model") || this.#model || "unknown";
    const total = obj(info, "total_token_usage");
    const last = obj(info, "last_token_usage");
    if (!total) {
      if (!last) {
        this.unknownUsage++; // token_count info in a shape we do not know
        return;
      }
      const delta = readTokens(last);
      this.items.push({ kind: "usage", identity: `last:${timestamp.text}:${tokensKey(delta)}`, record: null, timestamp, model, delta });
      return;
    }
    const current = readTokens(total);
    if (sameTokens(current, this.#previous)) return; // a re-emit: the total did not move
    let delta = subtractTokens(current, this.#previous);
    this.#previous = current;
    if (this.#inReplay(timestamp)) return; // the parent's usage, replayed: baseline only
    if (isReset(delta)) delta = last ? readTokens(last) : current;
    this.items.push({ kind: "usage", identity: tokensKey(current), record: null, timestamp, model, delta });
  }
}
