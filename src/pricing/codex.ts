import { clampTokens, PRICES, ratesFor, type ServiceTier } from "./catalogue.ts";

/**
 * `cached` is part of `input` (capped at it) and billed at the cache-read price, the rest at the input price;
 * reasoning is part of `output`. Above the model's tier (272k prompt tokens for the newer GPT models), the tier's
 * prices for the whole request. A request on the priority or flex processing tier (`serviceTier`) at that tier's
 * prices, where the model has them (a model without them is served at the standard tier). `null` for a model without
 * a price.
 */
export function calculateCodexCost(model: string, input: number, cached: number, output: number, serviceTier: ServiceTier | "" = ""): number | null {
  const price = PRICES.lookup("openai", model);
  if (!price) return null;
  const totalInput = clampTokens(input);
  const cachedInput = Math.min(clampTokens(cached), totalInput);
  const rates = ratesFor((serviceTier && price.rates.serviceTiers?.[serviceTier]) || price.rates, totalInput);
  return (totalInput - cachedInput) * rates.input + cachedInput * rates.cacheRead + clampTokens(output) * rates.output;
}
