import data from "./data/gemini.json" with { type: "json" };
import { createPriceTable, type PriceFile } from "./table.ts";

export function normalizeGeminiModel(model: string): string {
  return model.trim();
}

export const GEMINI_PRICES = createPriceTable(data satisfies PriceFile, normalizeGeminiModel);

/** The pricing-side names (the importer's metric labels are `cached`/`thoughts`). */
export type GeminiCostType = "input" | "output" | "thought" | "cache" | "tool";

/** `null` for a count ≤ 0, an unknown model, or a type without a price (`tool`). */
export function geminiCostForType(model: string, type: GeminiCostType, tokens: number): number | null {
  if (tokens <= 0) return null;
  const rates = GEMINI_PRICES.lookup(model);
  if (!rates) return null;
  switch (type) {
    case "input":
      return tokens * rates.input;
    case "output":
    case "thought":
      return tokens * rates.output;
    case "cache":
      return tokens * rates.cacheRead;
    case "tool":
      return null;
  }
}

export interface GeminiTokens {
  input: number;
  output: number;
  cached: number;
  thoughts: number;
  tool: number;
}

/**
 * One message's cost as the Go importer sums it: input at the input rate (cached tokens included, as in Go),
 * output, cached at the cache-read rate, thoughts at the output rate; tool tokens are free. `null` when unknown.
 */
export function geminiMessageCost(model: string, tokens: GeminiTokens): number | null {
  if (!GEMINI_PRICES.lookup(model)) return null;
  const parts: [GeminiCostType, number][] = [
    ["input", tokens.input],
    ["output", tokens.output],
    ["cache", tokens.cached],
    ["thought", tokens.thoughts],
    ["tool", tokens.tool],
  ];
  let cost = 0;
  for (const [type, count] of parts) cost += geminiCostForType(model, type, count) ?? 0;
  return cost;
}
