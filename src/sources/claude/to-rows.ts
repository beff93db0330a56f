import { claudeCostWithMode } from "../../pricing/claude.ts";
import { IMPORT_SOURCE, logRow, metricRow, putIfSet } from "../shared/rows.ts";
import type { MetricRow, UsageEvent } from "../types.ts";
import type { ResponseGroup } from "./parse.ts";
import { withoutTopTier } from "../../jit-tier.ts";

export const CLAUDE_SERVICE = "claude-code";

/** Metric `type` labels, which are also the field names of `ClaudeResponse.tokens`. */
const TOKEN_TYPES = ["input", "output", "cacheCreation", "cacheRead"] as const;

/**
 * go-reference §3.4: one `api_request` log; per token type > 0 a `claude_code.token.usage` and a
 * `…_user_facing` row; cost (auto mode: `costUSD` when > 0, else the price table) as `claude_code.cost.usage`
 * and `…_user_facing` when > 0. Added attributes: `session.id` on metrics, `agent.id` for subagents.
 */
export function claudeEvent(group: ResponseGroup): UsageEvent {
  const response = group.best;
  const timestamp = group.first.text;
  const logAttributes: Record<string, string> = {
    "event.name": "claude_code.api_request",
    "session.id": response.sessionId,
    model: response.model,
    import_source: IMPORT_SOURCE,
  };
  putIfSet(logAttributes, "cwd", response.cwd);
  putIfSet(logAttributes, "request_id", response.requestId);
  putIfSet(logAttributes, "agent.id", response.agentId);

  const base: Record<string, string> = { model: response.model, import_source: IMPORT_SOURCE };
  putIfSet(base, "session.id", response.sessionId);
  putIfSet(base, "agent.id", response.agentId);

  const metrics: MetricRow[] = [];
  for (const type of TOKEN_TYPES) {
    const value = response.tokens[type];
    if (value <= 0) continue;
    // Twins share one attributes object (rows are never changed), so its encoding can be reused.
    const attributes = { ...base, type };
    for (const name of ["claude_code.token.usage", "claude_code.token.usage_user_facing"]) {
      metrics.push(metricRow(CLAUDE_SERVICE, timestamp, name, value, attributes));
    }
  }
  const cost = claudeCostWithMode("auto", response.model, response.tokens, response.costUSD);
  if (cost !== null && cost > 0) {
    for (const name of ["claude_code.cost.usage", "claude_code.cost.usage_user_facing"]) {
      metrics.push(metricRow(CLAUDE_SERVICE, timestamp, name, cost, base));
    }
  }
  const { input, output, cacheCreation, cacheRead } = response.tokens;
  const hasTokens = input > 0 || output > 0 || cacheCreation > 0 || cacheRead > 0;
  return {
    key: response.key,
    rank: response.rank,
    timestamp,
    logs: [logRow(CLAUDE_SERVICE, timestamp, "api_request", logAttributes)],
    metrics,
    model: response.model,
    unpriced: hasTokens && cost === null,
  };
}

withoutTopTier(claudeEvent);
