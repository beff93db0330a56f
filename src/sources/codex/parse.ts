import { isObject, obj, str, type JsonObject } from "../shared/json.ts";
import { parseTimestamp, type Instant } from "../shared/timestamps.ts";
import { isReset, readTokens, sameTokens, subtractTokens, tokensKey, ZERO_TOKENS, type CodexTokens } from "./totals.ts";

export interface CodexUsage {
  kind: "usage";
  /** Identity within the session: the cumulative total after this response. */
  identity: string;
  timestamp: Instant;
  model: string;
  delta: CodexTokens;
}

export interface CodexMessage {
  kind: "message";
  identity: string;
  timestamp: Instant;
  type: "user_message" | "agent_message";
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
const NEEDLES = ["session_meta", "turn_context", "token_count", "user_message", "agent_message"].map((name) =>
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

/**
 * Per-file state machine over rollout lines (envelope `{timestamp,type,payload}`). Counts changes of the
 * cumulative `total_token_usage` only; a fork's or subagent's replayed parent events set the baseline.
 */
export class CodexFileParser {
  readonly items: CodexItem[] = [];
  sessionId = "";
  #firstMeta: JsonObject | null = null;
  #startMicros: number | null = null;
  #foreignHistory = false;
  #model = "";
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

  /** `false`: a record with a payload but no valid timestamp (a bad line). */
  record(line: JsonObject): boolean | void {
    const timestamp = parseTimestamp(line["timestamp"]);
    const type = str(line, "type");
    if (type === "" && !this.sessionId && str(line, "id") !== "") {
      this.sessionId = str(line, "id"); // legacy bare rollout: first line is a SessionMeta, no usage follows
      return;
    }
    if (!timestamp) return obj(line, "payload") === undefined;
    this.#startMicros ??= timestamp.micros;
    const payload = obj(line, "payload");
    if (!payload) return;
    if (type === "session_meta") this.#sessionMeta(payload, timestamp);
    else if (type === "turn_context") this.#model = str(payload, "model") || this.#model;
    else if (type === "event_msg") this.#event(payload, timestamp);
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
    else if (type === "user_message" || type === "agent_message") {
      if (this.#foreignHistory && this.#inReplay(timestamp)) return;
      const base = `${type}:${timestamp.text}`;
      const seen = this.#messageCounts.get(base) ?? 0;
      this.#messageCounts.set(base, seen + 1);
      this.items.push({ kind: "message", identity: `${base}#${seen}`, timestamp, type });
    }
  }

  #tokenCount(payload: JsonObject, timestamp: Instant): void {
    const info = obj(payload, "info");
    if (!info) return;
    const model = str(info, "model") || this.#model || "unknown";
    const total = obj(info, "total_token_usage");
    const last = obj(info, "last_token_usage");
    if (!total) {
      if (!last) return;
      const delta = readTokens(last);
      this.items.push({ kind: "usage", identity: `last:${timestamp.text}:${tokensKey(delta)}`, timestamp, model, delta });
      return;
    }
    const current = readTokens(total);
    if (sameTokens(current, this.#previous)) return; // a re-emit: the total did not move
    let delta = subtractTokens(current, this.#previous);
    this.#previous = current;
    if (this.#inReplay(timestamp)) return; // the parent's usage, replayed: baseline only
    if (isReset(delta)) delta = last ? readTokens(last) : current;
    this.items.push({ kind: "usage", identity: tokensKey(current), timestamp, model, delta });
  }
}
