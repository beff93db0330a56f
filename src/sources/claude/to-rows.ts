import { calculateClaudeCost, claudeCostWithMode } from "../../pricing/claude.ts";
import { IMPORT_SOURCE, logRow, metricRow, putIfSet } from "../shared/rows.ts";
import type { MetricRow, UsageEvent } from "../types.ts";
import type { ClaudeUsage, ResponseGroup } from "./parse.ts";

export const CLAUDE_SERVICE = "claude-code";

/** Metric `type` labels, which are also the field names of `ClaudeResponse.tokens`. */
const TOKEN_TYPES = ["input", "output", "cacheCreation", "cacheRead"] as const;

/**
 * go-reference §3.4: one `api_request` log; per token type > 0 a `claude_code.token.usage` and a
 * `…_user_facing` row; cost (auto mode: `costUSD` when > 0, else the price table) as `claude_code.cost.usage`
 * and `…_user_facing` when > 0. Added attributes: `session.id` on metrics, `agent.id` for subagents. Advisor calls
 * and compactions add the same rows with their model and `iteration: advisor` or `iteration: compaction`.
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
  tokenRows(metrics, timestamp, base, response.tokens);
  const cost = claudeCostWithMode("auto", response.model, response.tokens, response.costUSD);
  costRows(metrics, timestamp, base, cost);
  let unpriced = hasTokens(response.tokens) && cost === null;
  let unpricedModel = response.model;
  // Each call the top-level usage leaves out: its model's token and cost rows (attribute `iteration`), beside the response's.
  for (const call of response.sideCalls) {
    const callBase = { ...base, model: call.model, iteration: call.kind };
    tokenRows(metrics, timestamp, callBase, call.tokens);
    const callCost = calculateClaudeCost(call.model, call.tokens);
    costRows(metrics, timestamp, callBase, callCost);
    if (hasTokens(call.tokens) && callCost === null && !unpriced) {
      unpriced = true;
      unpricedModel = call.model;
    }
  }
  return {
    key: response.key,
    rank: response.rank,
    timestamp,
    logs: [logRow(CLAUDE_SERVICE, timestamp, "api_request", logAttributes)],
    metrics,
    model: unpricedModel,
    unpriced,
  };
}

export function hasTokens(tokens: ClaudeUsage): boolean {
  return tokens.input > 0 || tokens.output > 0 || tokens.cacheCreation > 0 || tokens.cacheRead > 0;
}

/** Per token type > 0, a `claude_code.token.usage` row and its `_user_facing` twin. */
export function tokenRows(metrics: MetricRow[], timestamp: string, base: Record<string, string>, tokens: ClaudeUsage): void {
  for (const type of TOKEN_TYPES) {
    const value = tokens[type];
    if (value <= 0) continue;
    // Twins share one attributes object (rows are never changed), so its encoding can be reused.
    const attributes = { ...base, type };
    for (const name of ["claude_code.token.usage", "claude_code.token.usage_user_facing"]) {
      metrics.push(metricRow(CLAUDE_SERVICE, timestamp, name, value, attributes));
    }
  }
}

/** A cost > 0: a `claude_code.cost.usage` row and its `_user_facing` twin. */
export function costRows(metrics: MetricRow[], timestamp: string, base: Record<string, string>, cost: number | null): void {
  if (cost === null || cost <= 0) return;
  for (const name of ["claude_code.cost.usage", "claude_code.cost.usage_user_facing"]) {
    metrics.push(metricRow(CLAUDE_SERVICE, timestamp, name, cost, base));
  }
}
