import { geminiMessageCost, type GeminiTokens } from "../../pricing/gemini.ts";
import { isObject, num, str, type JsonObject } from "../shared/json.ts";
import { ERROR, IMPORT_SOURCE, INFO, logRow, metricRow, putIfSet, WARN, type Severity } from "../shared/rows.ts";
import { parseTimestamp } from "../shared/timestamps.ts";
import type { MetricRow, UsageEvent } from "../types.ts";
import type { GeminiSession } from "./parse.ts";

export const GEMINI_SERVICE = "gemini_cli";

const BODIES: Record<string, string> = {
  gemini: "api_response",
  user: "user_prompt",
  error: "api_error",
  warning: "warning",
  info: "info",
};

/** A message's severity by its type. */
export function severity(type: string): Severity {
  if (type === "error") return ERROR;
  if (type === "warning") return WARN;
  return INFO;
}

const TOKEN_TYPES = ["input", "output", "cached", "thoughts", "tool"] as const;

function readTokens(tokens: JsonObject): GeminiTokens {
  return {
    input: num(tokens, "input"),
    output: num(tokens, "output"),
    cached: num(tokens, "cached"),
    thoughts: num(tokens, "thoughts"),
    tool: num(tokens, "tool"),
  };
}

export interface SessionContext {
  session: GeminiSession;
  sessionId: string;
  /** For subagent files under `chats/<parentSessionId>/`. */
  parentSessionId: string;
}

/**
 * go-reference §3.6: one log per message with a valid timestamp; for `gemini` messages with tokens a
 * `gemini_cli.token.usage` row per type > 0 (input includes cached, as written) and a `gemini_cli.cost.usage` row.
 * Key `gemini:<sessionId>:<message id>`; rank = the token sum, so a copy with tokens beats one without.
 */
export function geminiEvent(context: SessionContext, messageId: string, message: JsonObject): UsageEvent | null {
  const instant = parseTimestamp(message["timestamp"]);
  if (!instant) return null;
  const timestamp = instant.text;
  const type = str(message, "type");
  const model = str(message, "model");
  const attributes: Record<string, string> = {
    "event.name": `gemini_cli.${type}`,
    "session.id": context.sessionId,
    "message.id": messageId,
    import_source: IMPORT_SOURCE,
  };
  putIfSet(attributes, "model", model);
  putIfSet(attributes, "project_hash", context.session.projectHash);
  putIfSet(attributes, "parent.session.id", context.parentSessionId);
  const log = logRow(GEMINI_SERVICE, timestamp, BODIES[type] ?? type, attributes, severity(type));

  const metrics: MetricRow[] = [];
  let rank = 0;
  let unpriced = false;
  const rawTokens = message["tokens"];
  if (type === "gemini" && isObject(rawTokens)) {
    const tokens = readTokens(rawTokens);
    const base = { model, import_source: IMPORT_SOURCE, "session.id": context.sessionId };
    for (const tokenType of TOKEN_TYPES) {
      const value = tokens[tokenType];
      if (value <= 0) continue;
      rank += value;
      metrics.push(metricRow(GEMINI_SERVICE, timestamp, "gemini_cli.token.usage", value, { ...base, type: tokenType }));
    }
    const cost = geminiMessageCost(model, tokens);
    if (cost !== null && cost > 0) metrics.push(metricRow(GEMINI_SERVICE, timestamp, "gemini_cli.cost.usage", cost, { ...base }));
    unpriced = rank > 0 && cost === null;
  }
  return { key: `gemini:${context.sessionId}:${messageId}`, rank, timestamp, logs: [log], metrics, model, unpriced };
}
