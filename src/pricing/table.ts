/** The shape of `data/*.json`, as in the Go original's embedded price files. */
export interface ModelPrice {
  aliases?: string[];
  inputCostPerMTok: number;
  outputCostPerMTok: number;
  cacheReadCostPerMTok?: number;
  cacheWriteCostPerMTok?: number;
  deprecated?: boolean;
}

export interface PriceFile {
  provider: string;
  lastUpdated: string;
  models: Record<string, ModelPrice>;
}

/** USD per token. Rates are perMTok × 1e-6 (a multiplication, as in Go, so floats come out the same). */
export interface Rates {
  model: string;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface PriceTable {
  provider: string;
  /** Canonical model, then alias; no prefix or fuzzy matching. `null` when unknown. */
  lookup(model: string): Rates | null;
  models(): string[];
}

const PER_TOKEN = 1e-6;

function toRates(model: string, price: ModelPrice): Rates {
  return {
    model,
    input: price.inputCostPerMTok * PER_TOKEN,
    output: price.outputCostPerMTok * PER_TOKEN,
    cacheRead: (price.cacheReadCostPerMTok ?? 0) * PER_TOKEN,
    cacheWrite: (price.cacheWriteCostPerMTok ?? 0) * PER_TOKEN,
  };
}

export function createPriceTable(file: PriceFile, normalise: (model: string) => string): PriceTable {
  const canonical = new Map<string, Rates>();
  const aliases = new Map<string, Rates>();
  for (const [model, price] of Object.entries(file.models)) {
    const rates = toRates(model, price);
    canonical.set(model, rates);
    for (const alias of price.aliases ?? []) aliases.set(alias, rates);
  }
  return {
    provider: file.provider,
    lookup(model) {
      const name = normalise(model);
      return canonical.get(name) ?? aliases.get(name) ?? null;
    },
    models: () => [...canonical.keys()],
  };
}

export function clampTokens(value: number): number {
  return value > 0 ? value : 0;
}
