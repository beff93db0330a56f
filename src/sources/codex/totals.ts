import { num, type JsonObject } from "../shared/json.ts";

/** A `TokenUsage` object, with the names of the Go importer's metric types. */
export interface CodexTokens {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  reasoning: number;
  tool: number;
  total: number;
}

export function readTokens(usage: JsonObject): CodexTokens {
  const cacheRead = num(usage, "cache_read_input_tokens");
  const cacheCreation = num(usage, "cache_creation_input_tokens");
  return {
    input: num(usage, "input_tokens"),
    output: num(usage, "output_tokens"),
    cacheCreation: cacheCreation !== 0 ? cacheCreation : num(usage, "cache_write_input_tokens"),
    cacheRead: cacheRead !== 0 ? cacheRead : num(usage, "cached_input_tokens"),
    reasoning: num(usage, "reasoning_output_tokens"),
    tool: num(usage, "tool_tokens"),
    total: num(usage, "total_tokens"),
  };
}

const FIELDS = ["input", "output", "cacheCreation", "cacheRead", "reasoning", "tool", "total"] as const;

export function tokensKey(tokens: CodexTokens): string {
  return FIELDS.map((field) => tokens[field]).join("/");
}

export function sameTokens(a: CodexTokens, b: CodexTokens): boolean {
  return FIELDS.every((field) => a[field] === b[field]);
}

export function subtractTokens(current: CodexTokens, previous: CodexTokens): CodexTokens {
  const delta = { ...current };
  for (const field of FIELDS) delta[field] = current[field] - previous[field];
  return delta;
}

/** A cumulative total that went down was reset (resume, compaction): it is not a delta. */
export function isReset(delta: CodexTokens): boolean {
  return delta.input < 0 || delta.output < 0 || delta.total < 0;
}

export const ZERO_TOKENS: CodexTokens = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, reasoning: 0, tool: 0, total: 0 };
