import { calculateCodexCost } from "../../pricing/codex.ts";
import { str } from "../shared/json.ts";
import { IMPORT_SOURCE, logRow, metricRow, plainEvent, putIfSet } from "../shared/rows.ts";
import type { MetricRow, UsageEvent } from "../types.ts";
import { parentSessionId, type CodexItem, type CodexMessage, type CodexSessionStart, type CodexTranscript, type CodexUsage } from "./parse.ts";
import type { Text } from "../shared/text.ts";

export const CODEX_SERVICE = "codex_cli_rs";

const TOKEN_TYPES = [
  ["input", "input"],
  ["output", "output"],
  ["cacheCreation", "cache_creation"],
  ["cacheRead", "cache_read"],
  ["reasoning", "reasoning"],
  ["tool", "tool"],
] as const;

function usageEvent(key: string, sessionId: string, item: CodexUsage): UsageEvent {
  const timestamp = item.timestamp.text;
  const base: Record<string, string> = { model: item.model, import_source: IMPORT_SOURCE, "session.id": sessionId };
  putIfSet(base, "service_tier", item.serviceTier);
  const metrics: MetricRow[] = [];
  for (const [field, type] of TOKEN_TYPES) {
    const value = item.delta[field];
    if (value > 0) metrics.push(metricRow(CODEX_SERVICE, timestamp, "codex_cli_rs.token.usage", value, { ...base, type }));
  }
  const cost = calculateCodexCost(item.model, item.delta.input, item.delta.cacheRead, item.delta.output, item.serviceTier);
  if (cost !== null && cost > 0) metrics.push(metricRow(CODEX_SERVICE, timestamp, "codex_cli_rs.cost.usage", cost, { ...base }));
  return { key, rank: 0, timestamp, logs: [], metrics, model: item.model, unpriced: metrics.length > 0 && cost === null };
}

function sessionEvent(key: string, sessionId: string, item: CodexSessionStart): UsageEvent {
  const attributes: Record<string, string> = {
    "event.name": "codex.conversation_starts",
    "session.id": sessionId,
    model: str(item.meta, "model"),
    model_provider: str(item.meta, "model_provider"),
    cli_version: str(item.meta, "cli_version"),
    import_source: IMPORT_SOURCE,
  };
  putIfSet(attributes, "cwd", str(item.meta, "cwd"));
  putIfSet(attributes, "originator", str(item.meta, "originator"));
  putIfSet(attributes, "parent.session.id", parentSessionId(item.meta));
  const log = logRow(CODEX_SERVICE, item.timestamp.text, "conversation_starts", attributes);
  return plainEvent(key, item.timestamp.text, [log]);
}

function transcriptEvent(key: string, sessionId: string, item: CodexTranscript): UsageEvent {
  const attributes: Record<string, Text> = {
    "event.name": "transcript.message",
    "session.id": sessionId,
    "message.index": String(item.index),
    "message.role": item.role,
    import_source: IMPORT_SOURCE,
  };
  putIfSet(attributes, "model", item.model);
  if (item.tool.name !== undefined) attributes["tool.name"] = item.tool.name;
  putIfSet(attributes, "tool.input", item.tool.input);
  putIfSet(attributes, "tool.output", item.tool.output);
  putIfSet(attributes, "tool.call_id", item.tool.callId);
  const log = logRow(CODEX_SERVICE, item.timestamp.text, item.body, attributes);
  return plainEvent(key, item.timestamp.text, [log]);
}

function messageEvent(key: string, sessionId: string, item: CodexMessage): UsageEvent {
  const attributes = { "event.name": `codex.${item.type}`, import_source: IMPORT_SOURCE, "session.id": sessionId };
  const log = logRow(CODEX_SERVICE, item.timestamp.text, item.type, attributes);
  return plainEvent(key, item.timestamp.text, [log]);
}

/**
 * go-reference §3.5 rows; every row is keyed `codex:<session id>:<identity>`, except a `token_usage_record`'s:
 * `codex:record:<thread id>:<response id>`, the same in every file that holds a copy of that response.
 */
export function codexEvent(sessionId: string, item: CodexItem): UsageEvent {
  const key = item.kind === "usage" && item.record !== null ? `codex:record:${item.record}` : `codex:${sessionId}:${item.identity}`;
  switch (item.kind) {
    case "usage":
      return usageEvent(key, sessionId, item);
    case "session":
      return sessionEvent(key, sessionId, item);
    case "message":
      return messageEvent(key, sessionId, item);
    case "transcript":
      return transcriptEvent(key, sessionId, item);
  }
}
