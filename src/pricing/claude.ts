import { clampTokens, PRICES, ratesFor } from "./catalogue.ts";

export interface ClaudeTokens {
  input: number;
  output: number;
  /** Cache writes, 5-minute and 1-hour together (`cache_creation_input_tokens`). */
  cacheCreation: number;
  /** Of `cacheCreation`, the 1-hour writes (`cache_creation.ephemeral_1h_input_tokens`). */
  cacheCreation1h?: number;
  cacheRead: number;
  /** `usage.speed`: `"fast"` for fast mode, which costs the model's `fast` factor times the price. */
  speed?: string;
  /** `usage.inference_geo`: a region such as `"us"` may cost a factor more (`"global"` does not). */
  inferenceGeo?: string;
}

/** The factor on a request's price: fast mode and the inference region, where the catalogue has them. */
export function priceFactor(multipliers: Record<string, number> | undefined, tokens: ClaudeTokens): number {
  if (!multipliers) return 1;
  let factor = 1;
  if (tokens.speed === "fast") factor *= multipliers.fast ?? 1;
  const geo = tokens.inferenceGeo?.toLowerCase();
  if (geo && geo !== "global" && geo !== "not_available") factor *= multipliers[geo] ?? 1;
  return factor;
}

/** Claude's long-context tier counts the whole prompt: input, cache writes and cache reads. */
export function tierPrompt(tokens: ClaudeTokens): number {
  return clampTokens(tokens.input) + clampTokens(tokens.cacheCreation) + clampTokens(tokens.cacheRead);
}

/**
 * The cost of one response (`null` for a model without a price): input, output and cache reads at their prices,
 * 5-minute cache writes at the cache-write price (1.25 x input), 1-hour ones at the 1-hour price (2 x input, which
 * is also what a model without that field is charged); all at the tier's prices when the prompt exceeds it; times
 * the fast-mode and region factors of `priceFactor`.
 */
export function calculateClaudeCost(model: string, tokens: ClaudeTokens): number | null {
  const price = PRICES.lookup("anthropic", model);
  if (!price) return null;
  const rates = ratesFor(price.rates, tierPrompt(tokens));
  const writes = clampTokens(tokens.cacheCreation);
  const hourWrites = Math.min(clampTokens(tokens.cacheCreation1h ?? 0), writes);
  const cost =
    clampTokens(tokens.input) * rates.input +
    clampTokens(tokens.output) * rates.output +
    (writes - hourWrites) * rates.cacheWrite +
    hourWrites * (rates.cacheWrite1h ?? 2 * rates.input) +
    clampTokens(tokens.cacheRead) * rates.cacheRead;
  const factor = priceFactor(price.rates.multipliers, tokens);
  return factor === 1 ? cost : cost * factor;
}

const PRICING_MODES = ["auto", "calculate", "display"] as const;
export type PricingMode = (typeof PRICING_MODES)[number];

export function parsePricingMode(value: string): PricingMode {
  const mode = value.trim().toLowerCase();
  if (mode === "") return "auto";
  if ((PRICING_MODES as readonly string[]).includes(mode)) return mode as PricingMode;
  throw new Error(`invalid pricing mode: "${value}" (valid: ${PRICING_MODES.join(", ")})`);
}

/**
 * The Go `GetClaudeCostWithMode`. `null` means "no price known" (Go returns 0 there): auto/calculate with an
 * unknown model and no usable `costUSD`. The importer always uses auto.
 */
export function claudeCostWithMode(
  mode: PricingMode,
  model: string,
  tokens: ClaudeTokens,
  costUSD: number | undefined,
): number | null {
  if (mode === "display") return costUSD ?? 0;
  if (mode === "auto" && costUSD !== undefined && costUSD > 0) return costUSD;
  return calculateClaudeCost(model, tokens);
}
