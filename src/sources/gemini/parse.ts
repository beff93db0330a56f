import { isObject, parseJsonObject, str, type JsonObject } from "../shared/json.ts";

/** The session as all records of one file describe it; rewinds and checkpoints never remove a message. */
export interface GeminiSession {
  sessionId: string;
  projectHash: string;
  kind: string;
  /** By message id, in order of first appearance; fields of later records override earlier ones. */
  messages: Map<string, JsonObject>;
}

export function emptySession(): GeminiSession {
  return { sessionId: "", projectHash: "", kind: "", messages: new Map() };
}

function applyMetadata(session: GeminiSession, metadata: JsonObject): void {
  session.sessionId = str(metadata, "sessionId") || session.sessionId;
  session.projectHash = str(metadata, "projectHash") || session.projectHash;
  session.kind = str(metadata, "kind") || session.kind;
}

/**
 * Last record per id wins, field by field, except `tokens`: a later record without tokens keeps the earlier
 * ones, so every response that ever carried tokens counts.
 */
function absorbMessage(session: GeminiSession, message: JsonObject, fallbackId: string): void {
  const id = str(message, "id") || fallbackId;
  const previous = session.messages.get(id);
  const merged: JsonObject = { ...previous, ...message };
  if (!isObject(message["tokens"]) && previous && isObject(previous["tokens"])) merged["tokens"] = previous["tokens"];
  session.messages.set(id, merged);
}

function absorbList(session: GeminiSession, list: unknown): void {
  if (!Array.isArray(list)) return;
  list.forEach((message, index) => {
    if (isObject(message)) absorbMessage(session, message, `#${index}:${str(message, "timestamp")}`);
  });
}

/** A legacy (≤0.38) document: metadata plus `messages[]`. */
export function absorbDocument(session: GeminiSession, document: JsonObject): void {
  applyMetadata(session, document);
  absorbList(session, document["messages"]);
}

/** One JSONL (≥0.39) record: metadata, a message, `$set` (with optional `messages` checkpoint) or `$rewindTo`. */
export function absorbRecord(session: GeminiSession, record: JsonObject): void {
  const set = record["$set"];
  if (isObject(set)) {
    applyMetadata(session, set);
    absorbList(session, set["messages"]);
    return;
  }
  // `$rewindTo` removes messages from the conversation, but their API calls were made and stay counted.
  if ("$rewindTo" in record) return;
  if (typeof record["id"] === "string" && (typeof record["type"] === "string" || "timestamp" in record)) {
    absorbMessage(session, record, "");
    return;
  }
  if ("messages" in record) absorbDocument(session, record);
  else applyMetadata(session, record);
}

const HUGE_LINE = 1 << 20;
const TOKENS = Buffer.from('"tokens"');
const HEADER = /^\{"id":"([^"\\]*)","timestamp":"([^"\\]*)","type":"([^"\\]*)"/;

/** The needles of `absorbHugeLineHeader`'s `found`. */
export const GEMINI_NEEDLES = [TOKENS];

/**
 * For a huge line without `"tokens"` (a user message with a pasted file), gemini-cli's key order lets us read
 * id, timestamp and type from the first bytes instead of parsing megabytes. `true` when handled. `found`: bit 0
 * set when the line holds `"tokens"` (`GEMINI_NEEDLES`); `head`: its first bytes.
 */
export function absorbHugeLineHeader(session: GeminiSession, found: number, length: number, head: Buffer): boolean {
  if (length < HUGE_LINE || (found & 1) !== 0) return false;
  const header = HEADER.exec(head.subarray(0, 512).toString("latin1"));
  if (!header) return false;
  const [, id = "", timestamp = "", type = ""] = header;
  absorbMessage(session, { id, timestamp, type }, "");
  return true;
}

export function parseDocument(bytes: Buffer): JsonObject | null {
  return parseJsonObject(bytes);
}
