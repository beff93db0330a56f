import { isObject, str, type JsonObject } from "../shared/json.ts";
import type { LargeStrings } from "../shared/large-strings.ts";
import { IMPORT_SOURCE, logRow, plainEvent, putIfSet } from "../shared/rows.ts";
import { Utf8Text, type Text } from "../shared/text.ts";
import { type Instant, parseTimestamp } from "../shared/timestamps.ts";
import type { LogRow, UsageEvent } from "../types.ts";
import { CLAUDE_SERVICE } from "./to-rows.ts";

/**
 * The conversation as the Go AI Observer 0.3+ stores it (go-reference-2026 §2.1): one `transcript.message` log per
 * content block of a user or assistant line, in order (`text`, `tool_use`, `tool_result`; other blocks, and empty
 * texts, are skipped without taking an index), `message.index` counting the file's rows from 0. Unlike Go, a typed
 * prompt (`message.content` a plain string) is kept as a text block, and `tool.input` is the input's JSON as written.
 *
 * Each line is an event of its own, keyed by session and line `uuid`: the same line read again (a file that grew, a
 * second copy of the file) counts once. The texts of a long line's large strings are kept as bytes (`large`).
 */
/** A line's log rows and what each of them takes from the line. */
interface LineRows {
  logs: LogRow[];
  base: Record<string, string>;
  model: string;
  messageId: string;
  time: string;
}

export class ClaudeTranscript {
  readonly events: UsageEvent[] = [];
  #index = 0;
  #unkeyed = 0;

  constructor(
    private readonly fileSessionId: string,
    private readonly large: LargeStrings,
  ) {}

  /** The line's time when it made rows. */
  add(line: JsonObject): Instant | null {
    const role = str(line, "type");
    if (role !== "user" && role !== "assistant") return null;
    const message = line["message"];
    if (!isObject(message)) return null;
    const timestamp = parseTimestamp(line["timestamp"]);
    if (!timestamp) return null;
    const sessionId = str(line, "sessionId") || this.fileSessionId;
    const logs: LogRow[] = [];
    const rows: LineRows = {
      logs,
      base: { "event.name": "transcript.message", "session.id": sessionId },
      model: str(message, "model"),
      messageId: str(message, "id"),
      time: timestamp.text,
    };
    const large = this.large;
    const content = message["content"];
    const blocks = typeof content === "string" ? [{ type: "text", text: content }] : Array.isArray(content) ? content : [];
    for (const block of blocks) {
      if (!isObject(block)) continue;
      const type = str(block, "type");
      if (type === "text") {
        const text = large.text(str(block, "text"));
        if (text.length !== 0) this.pushRow(rows, text, role);
      } else if (type === "tool_use") {
        const name = str(block, "name");
        const input = block["input"];
        const extra: Record<string, string> = { "tool.name": name };
        if (input !== undefined && input !== null) extra["tool.input"] = JSON.stringify(large.materialize(input));
        this.pushRow(rows, `Tool call: ${name}`, "tool_use", extra);
      } else if (type === "tool_result") {
        const text = resultText(block["content"], large);
        const extra: Record<string, Text> = {};
        putIfSet(extra, "tool.use_id", str(block, "tool_use_id"));
        putIfSet(extra, "tool.output", text);
        this.pushRow(rows, text, "tool_result", extra);
      }
    }
    if (logs.length === 0) return null;
    const id = str(line, "uuid") || `${timestamp.text}#${this.#unkeyed++}`;
    this.events.push(plainEvent(`claude:transcript:${sessionId}:${id}`, timestamp.text, logs));
    return timestamp;
  }

  /** A log row of the line, taking the file's next `message.index`. */
  private pushRow(rows: LineRows, body: Text, messageRole: string, extra: Record<string, Text> = {}): void {
    const attributes: Record<string, Text> = { ...rows.base, "message.index": String(this.#index++), "message.role": messageRole, import_source: IMPORT_SOURCE, ...extra };
    putIfSet(attributes, "model", rows.model);
    putIfSet(attributes, "message.id", rows.messageId);
    rows.logs.push(logRow(CLAUDE_SERVICE, rows.time, body, attributes));
  }
}

const NEWLINE = Buffer.from("\n");

/** Whether `resultText` starts with `prefix` (ASCII without quotes, backslashes or newlines), reading little of it. */
export function resultTextStartsWith(content: unknown, prefix: string, large: LargeStrings): boolean {
  if (typeof content === "string") return large.startsWith(content, prefix);
  if (!Array.isArray(content)) return prefix === "";
  // Blocks are joined by newlines, which the prefix has none of: it lies in the first text block or nowhere.
  const first: unknown = content.find((block) => isObject(block) && str(block, "type") === "text");
  return isObject(first) && large.startsWith(str(first, "text"), prefix);
}

/**
 * A tool result's text: the string, or its `text` blocks joined by newlines (images and other blocks dropped, as Go
 * does); bytes when a part of it is a large string of the line.
 */
export function resultText(content: unknown, large: LargeStrings): Text {
  if (typeof content === "string") return large.text(content);
  if (!Array.isArray(content)) return "";
  const texts: Text[] = [];
  let bytes = false;
  for (const block of content) {
    if (!isObject(block) || str(block, "type") !== "text") continue;
    const text = large.text(str(block, "text"));
    bytes ||= typeof text !== "string";
    texts.push(text);
  }
  if (!bytes) return texts.join("\n");
  const parts: Buffer[] = [];
  texts.forEach((text, i) => {
    if (i > 0) parts.push(NEWLINE);
    parts.push(typeof text === "string" ? Buffer.from(text) : text.bytes);
  });
  return new Utf8Text(Buffer.concat(parts));
}
