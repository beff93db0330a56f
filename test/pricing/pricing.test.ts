import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PRICES } from "../../src/pricing/catalogue.ts";
import { calculateClaudeCost, claudeCostWithMode, parsePricingMode } from "../../src/pricing/claude.ts";
import { calculateCodexCost } from "../../src/pricing/codex.ts";
import { geminiMessageCost } from "../../src/pricing/gemini.ts";
import { tempDir } from "../helpers/temp.ts";

// Every figure below is computed by hand from the per-token prices in the LiteLLM snapshot
// (../shared/data/prices/litellm-model-prices.json), quoted beside it.

describe("the price catalogue (LiteLLM, with the hand overlay)", () => {
  test("made from the snapshot in shared/data/prices, whose sha256 it records", () => {
    expect(PRICES.source.sha256).toBe("ba37bb46dc4662f4bfed71db90168644ef917713fa073bd397775376d55a6b1c");
    expect(PRICES.models("anthropic").length).toBeGreaterThan(20);
    expect(PRICES.models("openai").length).toBeGreaterThan(50);
    expect(PRICES.models("gemini").length).toBeGreaterThan(20);
  });

  test.each([
    ["anthropic", "claude-opus-4-7"], ["anthropic", "claude-opus-4-6"], ["anthropic", "claude-sonnet-4-6"], ["anthropic", "claude-haiku-4-5-20251001"],
    ["openai", "gpt-5.2-codex"], ["openai", "gpt-5.3-codex"], ["openai", "gpt-5.4"], ["openai", "gpt-5.5"], ["openai", "gpt-5.6"],
    ["gemini", "gemini-3.1-pro-preview"], ["gemini", "gemini-3-flash-preview"], ["gemini", "gemini-2.5-pro"],
  ] as const)("today's models are priced: %s %s", (provider, model) => {
    expect(PRICES.lookup(provider, model)?.rates.input).toBeGreaterThan(0);
  });

  test("models the catalogue dropped, old names and known errors come from the overlay", () => {
    expect(PRICES.lookup("anthropic", "claude-3-5-sonnet-20241022")?.rates).toMatchObject({ input: 3e-6, output: 15e-6 });
    expect(PRICES.lookup("anthropic", "claude-3-5-haiku")?.model).toBe("claude-3-5-haiku-20241022");
    expect(PRICES.lookup("openai", "o1-mini")?.rates).toMatchObject({ input: 1.1e-6, output: 4.4e-6 });
    // LiteLLM lists 6e-6; Claude 3 Haiku's 1-hour cache write is 2 x its 0.25e-6 input.
    expect(PRICES.lookup("anthropic", "claude-3-haiku-20240307")?.rates.cacheWrite1h).toBe(5e-7);
  });

  test("names: exact, then without a date suffix, then dots as dashes, with provider prefixes and blanks removed", () => {
    expect(PRICES.lookup("anthropic", "claude-opus-4-7-20261001")?.model).toBe("claude-opus-4-7");
    expect(PRICES.lookup("anthropic", "claude-opus-4.7")?.model).toBe("claude-opus-4-7");
    expect(PRICES.lookup("anthropic", " anthropic/claude-sonnet-4-5 ")?.model).toBe("claude-sonnet-4-5");
    expect(PRICES.lookup("openai", "openai/gpt-5")?.model).toBe("gpt-5");
    expect(PRICES.lookup("gemini", "models/gemini-2.5-pro")?.model).toBe("gemini-2.5-pro");
  });

  test.each([
    ["openai", "gpt-5.5-codex"],
    ["openai", "gpt-5-codex-high"],
    ["openai", "aide-gpt-5"],
    ["anthropic", "claude-sonnet-4-5-20250929-extra"],
    ["gemini", "gemini-9"],
  ] as const)("never by substring or prefix: %s %s is unpriced", (provider, model) => {
    expect(PRICES.lookup(provider, model)).toBeNull();
  });

  test("the generated file is what scripts/update-prices.ts makes from the snapshot", () => {
    const snapshot = join(import.meta.dir, "..", "..", "..", "shared", "data", "prices", "litellm-model-prices.json");
    const committed = readFileSync(join(import.meta.dir, "..", "..", "src", "pricing", "data", "prices.json"), "utf8");
    const out = join(tempDir("prices-"), "prices.json");
    const script = join(import.meta.dir, "..", "..", "scripts", "update-prices.ts");
    const run = Bun.spawnSync(["bun", script, "--from", snapshot, "--date", JSON.parse(committed).source.date, "--out", out], { stdout: "pipe", stderr: "pipe" });
    expect(run.stderr.toString()).toBe("");
    expect(run.exitCode).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(committed);
  });
});

describe("Claude", () => {
  // claude-sonnet-4-5: input 3e-6, output 15e-6, cache read 0.3e-6, 5-minute write 3.75e-6, 1-hour write 6e-6;
  // above 200k prompt tokens: 6e-6, 22.5e-6, 0.6e-6, 7.5e-6, 12e-6.
  test("1000 in, 500 out, 100 cache writes, 50 cache reads: 0.003 + 0.0075 + 0.000375 + 0.000015 = 0.01089", () => {
    expect(calculateClaudeCost("claude-sonnet-4-5-20250929", { input: 1000, output: 500, cacheCreation: 100, cacheRead: 50 })).toBeCloseTo(0.01089, 15);
  });

  test("1-hour cache writes at 2 x input: of 100 writes 40 for an hour: 60 x 3.75e-6 + 40 x 6e-6 = 0.000465", () => {
    const cost = calculateClaudeCost("claude-sonnet-4-5", { input: 0, output: 0, cacheCreation: 100, cacheCreation1h: 40, cacheRead: 0 });
    expect(cost).toBeCloseTo(0.000465, 15);
  });

  test("above 200k prompt tokens (input + cache writes + reads) the whole request at the tier's prices", () => {
    const under = { input: 100_000, output: 1000, cacheCreation: 0, cacheRead: 100_000 };
    // 100000 x 3e-6 + 1000 x 15e-6 + 100000 x 0.3e-6 = 0.3 + 0.015 + 0.03
    expect(calculateClaudeCost("claude-sonnet-4-5", under)).toBeCloseTo(0.345, 12);
    // one more cache write: 200001 tokens: 100000 x 6e-6 + 1000 x 22.5e-6 + 1 x 7.5e-6 + 100000 x 0.6e-6
    expect(calculateClaudeCost("claude-sonnet-4-5", { ...under, cacheCreation: 1 })).toBeCloseTo(0.6 + 0.0225 + 0.0000075 + 0.06, 12);
    // claude-opus-4-7 has no tier: 300000 x 5e-6
    expect(calculateClaudeCost("claude-opus-4-7", { input: 300_000, output: 0, cacheCreation: 0, cacheRead: 0 })).toBeCloseTo(1.5, 12);
  });

  test("fast mode (usage.speed) and the inference region (usage.inference_geo) multiply the price, where the catalogue has them", () => {
    // claude-opus-4-7: 1000 x 5e-6 + 2000 x 25e-6 = 0.055; provider_specific_entry {fast: 6, us: 1.1}
    const tokens = { input: 1000, output: 2000, cacheCreation: 0, cacheRead: 0 };
    expect(calculateClaudeCost("claude-opus-4-7", tokens)).toBeCloseTo(0.055, 15);
    expect(calculateClaudeCost("claude-opus-4-7", { ...tokens, speed: "fast" })).toBeCloseTo(0.33, 15);
    expect(calculateClaudeCost("claude-opus-4-7", { ...tokens, inferenceGeo: "us" })).toBeCloseTo(0.0605, 15);
    expect(calculateClaudeCost("claude-opus-4-7", { ...tokens, speed: "fast", inferenceGeo: "us" })).toBeCloseTo(0.363, 15);
    expect(calculateClaudeCost("claude-opus-4-7", { ...tokens, inferenceGeo: "global" })).toBeCloseTo(0.055, 15);
    // A model without a fast factor: the price as it is.
    expect(calculateClaudeCost("claude-sonnet-4-6", { ...tokens, speed: "fast" })).toBeCloseTo(1000 * 3e-6 + 2000 * 15e-6, 15);
  });

  test("negatives are clamped; an unknown model is null", () => {
    expect(calculateClaudeCost("claude-sonnet-4-5", { input: -5, output: 0, cacheCreation: 0, cacheRead: 0 })).toBe(0);
    expect(calculateClaudeCost("claude-next", { input: 5, output: 0, cacheCreation: 0, cacheRead: 0 })).toBeNull();
  });

  const tokens = { input: 1000, output: 500, cacheCreation: 0, cacheRead: 0 };
  const computed = 1000 * 3e-6 + 500 * 15e-6;
  test.each([
    ["auto", 0.05, 0.05],
    ["auto", undefined, computed],
    ["auto", 0, computed],
    ["calculate", 0.05, computed],
    ["display", 0.05, 0.05],
    ["display", undefined, 0],
    ["display", 0, 0],
  ] as const)("mode %s with costUSD %p → %p", (mode, costUSD, expected) => {
    expect(claudeCostWithMode(mode, "claude-sonnet-4-20250514", tokens, costUSD)).toBeCloseTo(expected, 15);
  });

  test("auto with an unknown model: costUSD when > 0, else no price", () => {
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
});

describe("Codex (OpenAI)", () => {
  test("gpt-5 (1.25e-6, cached 0.125e-6, out 10e-6): 1000 input of which 100 cached, 500 output → 0.0061375", () => {
    expect(calculateCodexCost("gpt-5", 1000, 100, 500)).toBeCloseTo(0.0061375, 15);
  });

  test("gpt-5.5 above 272k prompt tokens: the whole request at 10e-6 / cached 1e-6 / out 45e-6", () => {
    // under: 272000 input, 72000 cached, 1000 out: 200000 x 5e-6 + 72000 x 0.5e-6 + 1000 x 30e-6
    expect(calculateCodexCost("gpt-5.5", 272_000, 72_000, 1000)).toBeCloseTo(1 + 0.036 + 0.03, 12);
    expect(calculateCodexCost("gpt-5.5", 272_001, 72_000, 1000)).toBeCloseTo(200_001 * 10e-6 + 72_000 * 1e-6 + 1000 * 45e-6, 12);
  });

  test("priority and flex processing at their own prices (LiteLLM's *_priority, *_flex), with their own long-context tier", () => {
    // gpt-5.5 priority 10e-6 / cached 1e-6 / out 60e-6: 900 x 10e-6 + 100 x 1e-6 + 500 x 60e-6
    expect(calculateCodexCost("gpt-5.5", 1000, 100, 500, "priority")).toBeCloseTo(0.009 + 0.0001 + 0.03, 15);
    // gpt-5.5 flex 2.5e-6 / cached 0.25e-6 / out 15e-6
    expect(calculateCodexCost("gpt-5.5", 1000, 100, 500, "flex")).toBeCloseTo(0.00225 + 0.000025 + 0.0075, 15);
    // gpt-5.6 flex above 272k: 5e-6 / out 22.5e-6 for the whole request
    expect(calculateCodexCost("gpt-5.6", 300_000, 0, 1000, "flex")).toBeCloseTo(1.5 + 0.0225, 12);
    // gpt-5-codex has no priority prices: served, and priced, at the standard tier
    expect(calculateCodexCost("gpt-5-codex", 1000, 100, 500, "priority")).toBe(calculateCodexCost("gpt-5-codex", 1000, 100, 500));
  });

  test("cached is capped at input, negatives clamp to 0, unknown model is null", () => {
    expect(calculateCodexCost("gpt-5", 100, 500, 0)).toBeCloseTo(100 * 0.125e-6, 15);
    expect(calculateCodexCost("gpt-5", -100, -5, -1)).toBe(0);
    expect(calculateCodexCost("unknown", 100, 0, 0)).toBeNull();
  });
});

describe("Gemini", () => {
  test("cached billed once (inside input), thoughts at the output price, tool-use tokens at the input price", () => {
    // gemini-2.0-flash: input 0.1e-6, output 0.4e-6, cached 0.025e-6.
    // (500 - 50) x 0.1e-6 + 50 x 0.025e-6 + (200 + 30) x 0.4e-6 + 10 x 0.1e-6 = 0.00013925
    // (the Go importer: 0.00014325, cached twice and tool tokens free)
    expect(geminiMessageCost("gemini-2.0-flash", { input: 500, output: 200, cached: 50, thoughts: 30, tool: 10 })).toBeCloseTo(0.00013925, 15);
    expect(geminiMessageCost("gemini-9", { input: 500, output: 0, cached: 0, thoughts: 0, tool: 0 })).toBeNull();
  });

  test("gemini-2.5-pro above 200k prompt tokens (input + tool-use): the tier's 2.5e-6 / 0.25e-6 / 15e-6", () => {
    const tokens = { input: 200_000, output: 1000, cached: 100_000, thoughts: 0, tool: 0 };
    expect(geminiMessageCost("gemini-2.5-pro", tokens)).toBeCloseTo(100_000 * 1.25e-6 + 100_000 * 0.125e-6 + 1000 * 10e-6, 12);
    expect(geminiMessageCost("gemini-2.5-pro", { ...tokens, tool: 1 })).toBeCloseTo(100_000 * 2.5e-6 + 100_000 * 0.25e-6 + 1000 * 15e-6 + 2.5e-6, 12);
  });
});
