import { describe, expect, test } from "bun:test";
import {
  CLAUDE_PRICES,
  calculateClaudeCost,
  claudeCostWithMode,
  normalizeClaudeModel,
  parsePricingMode,
} from "../../src/pricing/claude.ts";
import { CODEX_PRICES, calculateCodexCost, normalizeCodexModel } from "../../src/pricing/codex.ts";
import { GEMINI_PRICES, geminiCostForType, geminiMessageCost } from "../../src/pricing/gemini.ts";

describe("price tables (go-reference §3.7)", () => {
  test("13 Claude, 42 OpenAI and 10 Gemini models", () => {
    expect([CLAUDE_PRICES.models().length, CODEX_PRICES.models().length, GEMINI_PRICES.models().length]).toEqual([13, 42, 10]);
  });

  test.each([
    "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001", "claude-opus-4-5-20251101", "claude-opus-4-1-20250805",
    "claude-sonnet-4-20250514", "claude-opus-4-20250514", "claude-3-7-sonnet-20250219", "claude-3-5-haiku-20241022",
    "claude-3-haiku-20240307",
    // aliases
    "claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-5", "claude-sonnet-4", "claude-3-5-sonnet", "claude-haiku-3-5",
    " anthropic/claude-sonnet-4-5 ",
  ])("Claude %p resolves", (model) => {
    const rates = CLAUDE_PRICES.lookup(model);
    expect(rates?.input).toBeGreaterThan(0);
    expect(rates?.output).toBeGreaterThan(0);
  });

  test.each(["gpt-5", "gpt-5.1", "gpt-5-mini", "gpt-4.1", "gpt-4o", "gpt-4o-mini", "o1", "o3", "o4-mini", "openai/gpt-5", "gpt-5-chat"])(
    "Codex %p resolves",
    (model) => {
      expect(CODEX_PRICES.lookup(model)?.input).toBeGreaterThan(0);
    },
  );

  test.each(["gemini-3-pro-preview", "gemini-3-flash-preview", "gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.0-flash", "gemini-2.5-pro-latest"])(
    "Gemini %p resolves",
    (model) => {
      expect(GEMINI_PRICES.lookup(model)?.input).toBeGreaterThan(0);
    },
  );

  test.each([
    ["claude", "claude-sonnet-4-5-2025"],
    ["claude", "claude-sonnet-4-5-20250929-extra"],
    ["codex", "gpt-5-codex-high"],
    ["codex", "aide-gpt-5"],
    ["gemini", "gemini-3.1-pro-preview"],
  ])("%s: no prefix, date or fuzzy matching for %p", (provider, model) => {
    const table = { claude: CLAUDE_PRICES, codex: CODEX_PRICES, gemini: GEMINI_PRICES }[provider]!;
    expect(table.lookup(model)).toBeNull();
  });

  test("normalisation strips only the provider prefix and whitespace", () => {
    expect(normalizeClaudeModel("  anthropic/claude-x ")).toBe("claude-x");
    expect(normalizeCodexModel(" openai/gpt-5 ")).toBe("gpt-5");
    expect(normalizeCodexModel("azure/gpt-5")).toBe("azure/gpt-5");
  });
});

describe("cost reference values", () => {
  test("Claude sonnet-4-5, 1000/500/100 write/50 read → 0.01089", () => {
    const cost = calculateClaudeCost("claude-sonnet-4-5-20250929", { input: 1000, output: 500, cacheCreation: 100, cacheRead: 50 });
    expect(cost).toBeCloseTo(0.01089, 12);
  });

  test("Claude negatives are clamped; unknown model is null", () => {
    expect(calculateClaudeCost("claude-sonnet-4-5", { input: -5, output: 0, cacheCreation: 0, cacheRead: 0 })).toBe(0);
    expect(calculateClaudeCost("claude-next", { input: 5, output: 0, cacheCreation: 0, cacheRead: 0 })).toBeNull();
  });

  test("Claude 1000 in / 500 out (Go from-files example) is the Go float 0.010499999999999999", () => {
    expect(calculateClaudeCost("claude-sonnet-4-20250514", { input: 1000, output: 500, cacheCreation: 0, cacheRead: 0 })).toBe(
      0.010499999999999999,
    );
  });

  const tokens = { input: 1000, output: 500, cacheCreation: 0, cacheRead: 0 };
  test.each([
    ["auto", 0.05, 0.05],
    ["auto", undefined, 0.010499999999999999],
    ["auto", 0, 0.010499999999999999],
    ["calculate", 0.05, 0.010499999999999999],
    ["display", 0.05, 0.05],
    ["display", undefined, 0],
    ["display", 0, 0],
  ] as const)("Claude mode %s with costUSD %p → %p", (mode, costUSD, expected) => {
    expect(claudeCostWithMode(mode, "claude-sonnet-4-20250514", tokens, costUSD)).toBe(expected);
  });

  test("Claude auto with an unknown model: costUSD when > 0, else no price", () => {
    expect(claudeCostWithMode("auto", "gateway-model", tokens, 0.2)).toBe(0.2);
    expect(claudeCostWithMode("auto", "gateway-model", tokens, undefined)).toBeNull();
  });

  test.each([
    ["auto", "auto"], ["Auto", "auto"], ["", "auto"], ["calculate", "calculate"], ["CALCULATE", "calculate"], ["display", "display"],
  ])("pricing mode %p → %s", (input, mode) => {
    expect(parsePricingMode(input)).toBe(mode as "auto");
  });

  test("an invalid pricing mode is an error", () => {
    expect(() => parsePricingMode("invalid")).toThrow('invalid pricing mode: "invalid" (valid: auto, calculate, display)');
  });

  test("Codex gpt-5: 1000 input of which 100 cached, 500 output → 0.0061375", () => {
    expect(calculateCodexCost("gpt-5", 1000, 100, 500)).toBeCloseTo(0.0061375, 12);
  });

  test("Codex: cached is capped at input, negatives clamp to 0, unknown model is null", () => {
    expect(calculateCodexCost("gpt-5", 100, 500, 0)).toBeCloseTo(100 * 0.125e-6, 15);
    expect(calculateCodexCost("gpt-5", -100, -5, -1)).toBe(0);
    expect(calculateCodexCost("unknown", 100, 0, 0)).toBeNull();
  });

  test.each([
    ["input", 1.25],
    ["output", 10],
    ["thought", 10],
    ["cache", 0.125],
  ] as const)("Gemini 2.5-pro, 1M %s tokens → %p", (type, expected) => {
    expect(geminiCostForType("gemini-2.5-pro", type, 1_000_000)).toBeCloseTo(expected, 12);
  });

  test("Gemini: tool tokens, zero counts and unknown models have no price; a 0 cache rate is 0", () => {
    expect(geminiCostForType("gemini-2.5-pro", "tool", 1000)).toBeNull();
    expect(geminiCostForType("gemini-2.5-pro", "input", 0)).toBeNull();
    expect(geminiCostForType("gemini-9", "input", 1000)).toBeNull();
    expect(geminiCostForType("gemini-2.0-flash-lite", "cache", 1000)).toBe(0);
  });

  test("Gemini message cost sums the types as the Go importer does (2.0-flash example → 0.00014325)", () => {
    expect(geminiMessageCost("gemini-2.0-flash", { input: 500, output: 200, cached: 50, thoughts: 30, tool: 10 })).toBeCloseTo(0.00014325, 12);
    expect(geminiMessageCost("gemini-9", { input: 500, output: 0, cached: 0, thoughts: 0, tool: 0 })).toBeNull();
  });
});
