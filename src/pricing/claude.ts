import data from "./data/claude.json" with { type: "json" };
import { clampTokens, createPriceTable, type PriceFile } from "./table.ts";
import { withoutTopTier } from "../jit-tier.ts";

export function normalizeClaudeModel(model: string): string {
  const name = model.trim();
  return name.startsWith("anthropic/") ? name.slice("anthropic/".length) : name;
}

export const CLAUDE_PRICES = createPriceTable(data satisfies PriceFile, normalizeClaudeModel);

export interface ClaudeTokens {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

/** Tokens × rates, summed in the Go order (input, output, cache write, cache read). `null` for an unknown model. */
export function calculateClaudeCost(model: string, tokens: ClaudeTokens): number | null {
  const rates = CLAUDE_PRICES.lookup(model);
  if (!rates) return null;
  return (
    clampTokens(tokens.input) * rates.input +
    clampTokens(tokens.output) * rates.output +
    clampTokens(tokens.cacheCreation) * rates.cacheWrite +
    clampTokens(tokens.cacheRead) * rates.cacheRead
  );
}

export const PRICING_MODES = ["auto", "calculate", "display"] as const;
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

withoutTopTier(calculateClaudeCost, claudeCostWithMode);
