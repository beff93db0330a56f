import { isObject, num, str, type JsonObject } from "../shared/json.ts";
import { IMPORT_SOURCE, logRow, plainEvent, putIfSet } from "../shared/rows.ts";
import { parseTimestamp } from "../shared/timestamps.ts";
import type { UsageEvent } from "../types.ts";
import { GEMINI_SERVICE, type SessionContext, severity } from "./to-rows.ts";

/**
 * The conversation as the Go AI Observer 0.3+ stores it (go-reference-2026 §2.3): per message with a valid time, a
 * `transcript.message` row (its text, role `user` or `assistant`, severity by type, its token counts as text), then
 * per tool call a `tool_use` row and, with a response, a `tool_result` row at the call's time; `message.index`
 * counts the file's rows from 0. Unlike Go, `content` given as parts (2026 files; Go fails the whole file on them)
 * is their texts joined, and the per-message log of the usage rows stays beside these rows.
 *
 * Events: `gemini:transcript:<session>:<message id>` (the message row) and `…:<message id>:tool:<n>` (a call's rows,
 * which may have their own time).
 */
export function geminiTranscript(context: SessionContext, messages: Iterable<[string, JsonObject]>): UsageEvent[] {
  const events: UsageEvent[] = [];
  let index = 0;
  const base = () => ({ "event.name": "transcript.message", "session.id": context.sessionId, "message.index": String(index++) });
  for (const [messageId, message] of messages) {
    const instant = parseTimestamp(message["timestamp"]);
    if (!instant) continue;
    const type = str(message, "type");
    const attributes: Record<string, string> = { ...base(), "message.id": messageId, "message.role": type === "user" ? "user" : "assistant", import_source: IMPORT_SOURCE };
    putIfSet(attributes, "model", str(message, "model"));
    putIfSet(attributes, "project_hash", context.session.projectHash);
    const tokens = message["tokens"];
    if (isObject(tokens)) {
      for (const [field, name] of [["input", "input_tokens"], ["output", "output_tokens"], ["cached", "cache_read_input_tokens"]] as const) {
        const value = num(tokens, field);
        if (value > 0) attributes[name] = String(value);
      }
    }
    putIfSet(attributes, "parent.session.id", context.parentSessionId);
    const key = `gemini:transcript:${context.sessionId}:${messageId}`;
    events.push(plainEvent(key, instant.text, [logRow(GEMINI_SERVICE, instant.text, contentText(message["content"]), attributes, severity(type))]));

    const calls = message["toolCalls"];
    if (!Array.isArray(calls)) continue;
    calls.forEach((call, n) => {
      if (!isObject(call)) return;
      const time = parseTimestamp(call["timestamp"])?.text ?? instant.text;
      const name = str(call, "name");
      const use: Record<string, string> = { ...base(), "message.role": "tool_use", "tool.name": name, import_source: IMPORT_SOURCE };
      if (call["args"] !== undefined) use["tool.input"] = JSON.stringify(call["args"]);
      const rows = [logRow(GEMINI_SERVICE, time, `Tool call: ${name}`, use)];
      const result = call["result"];
      const response = Array.isArray(result) && isObject(result[0]) && isObject(result[0]["functionResponse"]) ? result[0]["functionResponse"] : null;
      if (response) {
        const output = isObject(response["response"]) ? str(response["response"], "output") : "";
        const done: Record<string, string> = { ...base(), "message.role": "tool_result", "tool.name": name, import_source: IMPORT_SOURCE };
        putIfSet(done, "tool.output", output);
        const status = str(call, "status");
        if (status !== "") done["success"] = status === "success" ? "true" : "false";
        rows.push(logRow(GEMINI_SERVICE, time, output, done));
      }
      events.push(plainEvent(`${key}:tool:${n}`, time, rows));
    });
  }
  return events;
}

/** A message's text: the string, or the `text` of its parts joined by newlines. */
function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content) if (isObject(part) && typeof part["text"] === "string") texts.push(part["text"]);
  return texts.join("\n");
}
