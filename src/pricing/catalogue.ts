import generated from "./data/prices.json" with { type: "json" };
import overlay from "./data/price-overlay.json" with { type: "json" };

/**
 * Prices per token (USD), from LiteLLM's catalogue (data/prices.json, made by scripts/update-prices.ts) with a hand
 * overlay (data/price-overlay.json: models the catalogue dropped, its known errors, and old names).
 */
export type Provider = "anthropic" | "openai" | "gemini";

/** Prices above a prompt-size tier: for the whole request when its prompt exceeds `above` tokens. */
export interface TierRates {
  above: number;
  input: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
}

export interface ModelRates {
  input: number;
  output: number;
  cacheRead?: number;
  /** Cache writes; for Claude the 5-minute ones. */
  cacheWrite?: number;
  /** Claude's 1-hour cache writes. */
  cacheWrite1h?: number;
  tier?: TierRates;
  /**
   * Factors on the whole price of a request (LiteLLM's `provider_specific_entry`): `fast` for Claude's fast mode
   * (`usage.speed: "fast"`), and per inference region (`us`: `usage.inference_geo: "us"`).
   */
  multipliers?: Record<string, number>;
  /**
   * Prices of OpenAI's processing tiers (`service_tier` of the request; LiteLLM's `*_priority` and `*_flex` fields),
   * each with its own prompt-size tier where the catalogue has one.
   */
  serviceTiers?: Partial<Record<ServiceTier, ServiceTierRates>>;
}

export type ServiceTier = "priority" | "flex";

export interface ServiceTierRates {
  input: number;
  output: number;
  cacheRead?: number;
  tier?: TierRates;
}

export interface CatalogueFile {
  source: { name: string; from: string; sha256: string; date: string };
  anthropic: Record<string, ModelRates>;
  openai: Record<string, ModelRates>;
  gemini: Record<string, ModelRates>;
}

interface OverlayFile {
  /** Models, or fields of models, that replace the catalogue's. */
  models: Record<Provider, Record<string, Partial<ModelRates>>>;
  /** Other names of a model (old aliases the agents wrote): alias -> name in the catalogue. */
  aliases: Record<Provider, Record<string, string>>;
}

/** The rates a price was found with, and the name it was found under. */
interface Price {
  model: string;
  rates: ModelRates;
}

const PREFIXES: Record<Provider, string[]> = {
  anthropic: ["anthropic/"],
  openai: ["openai/"],
  gemini: ["gemini/", "google/", "models/"],
};

const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;
/** How many distinct names `lookup` remembers; a run sees a handful, so the bound only guards against odd input. */
const REMEMBERED_NAMES = 1024;

class PriceCatalogue {
  readonly #models: Record<Provider, Map<string, ModelRates>>;
  readonly #aliases: Record<Provider, Record<string, string>>;
  /** `lookup` runs for every event with a handful of distinct names: each is resolved once. */
  readonly #found: Record<Provider, Map<string, Price | null>> = { anthropic: new Map(), openai: new Map(), gemini: new Map() };
  /**
   * What priced a file's events (recorded with it): a digest of the catalogue and the overlay, so that events left
   * unpriced are priced again once a new table prices their model.
   */
  readonly id: string;

  constructor(file: CatalogueFile, extra: OverlayFile) {
    this.id = new Bun.CryptoHasher("sha256").update(JSON.stringify([file, extra])).digest("hex").slice(0, 16);
    const load = (provider: Provider) => {
      const models = new Map<string, ModelRates>(Object.entries(file[provider]));
      for (const [name, rates] of Object.entries(extra.models[provider] ?? {})) {
        const merged = { ...models.get(name), ...rates } as ModelRates;
        if (merged.input !== undefined && merged.output !== undefined) models.set(name, merged);
      }
      return models;
    };
    this.#models = { anthropic: load("anthropic"), openai: load("openai"), gemini: load("gemini") };
    this.#aliases = extra.aliases;
  }

  models(provider: Provider): string[] {
    return [...this.#models[provider].keys()];
  }

  #exact(provider: Provider, name: string): Price | null {
    const target = this.#aliases[provider]?.[name] ?? name;
    const rates = this.#models[provider].get(target);
    return rates ? { model: target, rates } : null;
  }

  /**
   * The price of `model`: its name as written (less a provider prefix and blanks), then without a date suffix
   * (`-20251001`, `-2025-10-01`), then with dots as dashes (`claude-opus-4.7`); never by substring or prefix, so
   * `gpt-5.5` never prices `gpt-5.5-codex`. `null`: unknown.
   */
  lookup(provider: Provider, model: string): Price | null {
    const found = this.#found[provider];
    const known = found.get(model);
    if (known !== undefined) return known;
    if (found.size >= REMEMBERED_NAMES) found.clear();
    const price = this.#resolve(provider, model);
    found.set(model, price);
    return price;
  }

  #resolve(provider: Provider, model: string): Price | null {
    let name = model.trim();
    for (const prefix of PREFIXES[provider]) if (name.startsWith(prefix)) name = name.slice(prefix.length);
    const undated = name.replace(DATE_SUFFIX, "");
    for (const candidate of [name, undated, name.replaceAll(".", "-"), undated.replaceAll(".", "-")]) {
      const found = this.#exact(provider, candidate);
      if (found) return found;
    }
    return null;
  }

  get source(): CatalogueFile["source"] {
    return generated.source;
  }
}

export const PRICES = new PriceCatalogue(generated as CatalogueFile, overlay as unknown as OverlayFile);

export interface AppliedRates {
  input: number;
  output: number;
  /** Cached input; the input price where the model has none. */
  cacheRead: number;
  cacheWrite: number;
  /** Claude's 1-hour cache writes, where the catalogue has them. */
  cacheWrite1h: number | undefined;
}

/**
 * The rates of a request whose prompt is `prompt` tokens: above the model's tier threshold, the tier's prices, for
 * the whole request (field by field; a field the tier lacks keeps its base price).
 */
export function ratesFor(rates: ModelRates, prompt: number): AppliedRates {
  const above = rates.tier !== undefined && prompt > rates.tier.above ? rates.tier : undefined;
  const input = above?.input ?? rates.input;
  return {
    input,
    output: above?.output ?? rates.output,
    cacheRead: above?.cacheRead ?? rates.cacheRead ?? input,
    cacheWrite: above?.cacheWrite ?? rates.cacheWrite ?? input,
    cacheWrite1h: above?.cacheWrite1h ?? rates.cacheWrite1h,
  };
}

export function clampTokens(value: number): number {
  return value > 0 ? value : 0;
}
