import data from "./data/codex.json" with { type: "json" };
import { clampTokens, createPriceTable, type PriceFile } from "./table.ts";

/** Only the `openai/` prefix is stripped: no variant to base-model mapping (the Go docs claim one; the code has none). */
export function normalizeCodexModel(model: string): string {
  const name = model.trim();
  return name.startsWith("openai/") ? name.slice("openai/".length) : name;
}

export const CODEX_PRICES = createPriceTable(data satisfies PriceFile, normalizeCodexModel);

/**
 * `cached` is part of `input`: it is capped at `input`, and only the rest is billed at the input rate.
 * Reasoning, cache-creation and tool tokens are not billed separately. `null` for an unknown model.
 */
export function calculateCodexCost(model: string, input: number, cached: number, output: number): number | null {
  const rates = CODEX_PRICES.lookup(model);
  if (!rates) return null;
  const totalInput = clampTokens(input);
  const cachedInput = Math.min(clampTokens(cached), totalInput);
  const nonCached = totalInput - cachedInput;
  return nonCached * rates.input + cachedInput * rates.cacheRead + clampTokens(output) * rates.output;
}
