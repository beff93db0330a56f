import { clampTokens, PRICES, ratesFor } from "./catalogue.ts";

export interface GeminiTokens {
  input: number;
  output: number;
  cached: number;
  thoughts: number;
  tool: number;
}

/**
 * One message's cost: `cached` is part of `input` (capped at it), billed once at the cache-read price and the rest
 * at the input price; thoughts at the output price; tool-use prompt tokens at the input price. Above the model's
 * tier (200k prompt tokens for the pro models), the tier's prices for the whole message. `null` for a model without
 * a price. The Go importer bills cached tokens twice (inside input and again at the cache price) and tool tokens not
 * at all: we are correct first (docs/parsers.md).
 */
export function geminiMessageCost(model: string, tokens: GeminiTokens): number | null {
  const price = PRICES.lookup("gemini", model);
  if (!price) return null;
  const input = clampTokens(tokens.input);
  const cached = Math.min(clampTokens(tokens.cached), input);
  const tool = clampTokens(tokens.tool);
  const rates = ratesFor(price.rates, input + tool);
  return (
    (input - cached) * rates.input +
    cached * rates.cacheRead +
    (clampTokens(tokens.output) + clampTokens(tokens.thoughts)) * rates.output +
    tool * rates.input
  );
}
