#!/usr/bin/env bun
/**
 * Generates src/pricing/data/prices.json, our compact price data, from LiteLLM's price catalogue
 * (`model_prices_and_context_window.json`, the one ccusage and agentsview bundle):
 *
 *   bun scripts/update-prices.ts --from ../shared/data/prices/litellm-model-prices.json [--date YYYY-MM-DD] [--out FILE]
 *   bun scripts/update-prices.ts --from https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json
 *
 * Kept: Anthropic's Claude models, OpenAI's chat and responses models, and Google AI Studio's Gemini models (the
 * `gemini/` entries, named without the prefix): per token, the input, output, cache-read and cache-write prices
 * (5-minute and 1-hour writes for Claude), and the prices above a prompt-size tier (`*_above_200k_tokens`,
 * `*_above_272k_tokens`), and OpenAI's priority and flex processing prices (`*_priority`, `*_flex`). The file records where it came from (name, sha256, date). Models LiteLLM dropped and its
 * known errors are in the hand overlay src/pricing/data/price-overlay.json, applied when the prices are loaded.
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { CatalogueFile, ModelRates, Provider, ServiceTierRates, TierRates } from "../src/pricing/catalogue.ts";

const ROOT = resolve(import.meta.dir, "..");
const OUT = join(ROOT, "src", "pricing", "data", "prices.json");

type Entry = Record<string, unknown>;

const PROVIDERS: Record<Provider, { litellm: string; accept: (key: string) => string | null }> = {
  anthropic: { litellm: "anthropic", accept: (key) => (key.startsWith("claude-") ? key : null) },
  openai: { litellm: "openai", accept: (key) => (/^(gpt-|o\d|codex-)/.test(key) ? key : null) },
  gemini: { litellm: "gemini", accept: (key) => (key.startsWith("gemini/gemini-") ? key.slice("gemini/".length) : null) },
};

function price(entry: Entry, field: string): number | undefined {
  const value = entry[field];
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The prompt-size tier the entry has: its threshold in tokens and the prices above it; `service` names a processing
 * tier's fields (`_priority`: `input_cost_per_token_above_272k_tokens_priority`).
 */
function tier(entry: Entry, service = ""): TierRates | undefined {
  for (const threshold of [200_000, 272_000]) {
    const suffix = `_above_${threshold / 1000}k_tokens${service}`;
    const input = price(entry, `input_cost_per_token${suffix}`);
    if (input === undefined) continue;
    const rates: TierRates = { above: threshold, input };
    const fields: [keyof TierRates, string][] = [
      ["output", `output_cost_per_token${suffix}`],
      ["cacheRead", `cache_read_input_token_cost${suffix}`],
      ["cacheWrite", `cache_creation_input_token_cost${suffix}`],
      ["cacheWrite1h", `cache_creation_input_token_cost_above_1hr${suffix}`],
    ];
    for (const [key, field] of fields) {
      const value = price(entry, field);
      if (value !== undefined) (rates as unknown as Record<string, number>)[key] = value;
    }
    return rates;
  }
  return undefined;
}

/** OpenAI's priority and flex processing prices (`*_priority`, `*_flex`), where the entry has both input and output. */
function serviceTiers(entry: Entry): ModelRates["serviceTiers"] {
  const found: NonNullable<ModelRates["serviceTiers"]> = {};
  for (const service of ["priority", "flex"] as const) {
    const input = price(entry, `input_cost_per_token_${service}`);
    const output = price(entry, `output_cost_per_token_${service}`);
    if (input === undefined || output === undefined) continue;
    const rates: ServiceTierRates = { input, output };
    const cacheRead = price(entry, `cache_read_input_token_cost_${service}`);
    if (cacheRead !== undefined) rates.cacheRead = cacheRead;
    const above = tier(entry, `_${service}`);
    if (above) rates.tier = above;
    found[service] = rates;
  }
  return Object.keys(found).length > 0 ? found : undefined;
}

function rates(entry: Entry): ModelRates | null {
  const input = price(entry, "input_cost_per_token");
  const output = price(entry, "output_cost_per_token");
  if (input === undefined || output === undefined) return null;
  const result: ModelRates = { input, output };
  const optional: [keyof ModelRates, string][] = [
    ["cacheRead", "cache_read_input_token_cost"],
    ["cacheWrite", "cache_creation_input_token_cost"],
    ["cacheWrite1h", "cache_creation_input_token_cost_above_1hr"],
  ];
  for (const [key, field] of optional) {
    const value = price(entry, field);
    if (value !== undefined) (result as unknown as Record<string, number>)[key] = value;
  }
  const above = tier(entry);
  if (above) result.tier = above;
  const services = serviceTiers(entry);
  if (services) result.serviceTiers = services;
  const specific = entry.provider_specific_entry;
  if (typeof specific === "object" && specific !== null) {
    const factors = Object.entries(specific).filter(([, value]) => typeof value === "number" && Number.isFinite(value) && value > 0);
    if (factors.length > 0) result.multipliers = Object.fromEntries(factors.sort(([a], [b]) => (a < b ? -1 : 1))) as Record<string, number>;
  }
  return result;
}

async function readCatalogue(from: string): Promise<Uint8Array> {
  if (/^https?:\/\//.test(from)) {
    const response = await fetch(from);
    if (!response.ok) throw new Error(`${from}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
  return new Uint8Array(await Bun.file(resolve(from)).arrayBuffer());
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: Bun.argv.slice(2), options: { from: { type: "string" }, date: { type: "string" }, out: { type: "string" } } });
  if (!values.from) throw new Error("usage: bun scripts/update-prices.ts --from FILE|URL [--date YYYY-MM-DD] [--out FILE]");
  const out = values.out ? resolve(values.out) : OUT;
  const bytes = await readCatalogue(values.from);
  const catalogue = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, Entry>;
  const file: CatalogueFile = {
    source: {
      name: "LiteLLM model_prices_and_context_window.json",
      from: /^https?:/.test(values.from) ? values.from : values.from.split("/").at(-1) ?? values.from,
      sha256: new Bun.CryptoHasher("sha256").update(bytes).digest("hex"),
      date: values.date ?? new Date().toISOString().slice(0, 10),
    },
    anthropic: {},
    openai: {},
    gemini: {},
  };
  for (const [key, entry] of Object.entries(catalogue)) {
    if (typeof entry !== "object" || entry === null) continue;
    if (entry.mode !== "chat" && entry.mode !== "responses") continue;
    for (const [provider, rule] of Object.entries(PROVIDERS) as [Provider, (typeof PROVIDERS)[Provider]][]) {
      if (entry.litellm_provider !== rule.litellm) continue;
      const name = rule.accept(key);
      const found = name === null ? null : rates(entry);
      if (name !== null && found) file[provider][name] = found;
    }
  }
  for (const provider of Object.keys(PROVIDERS) as Provider[]) {
    file[provider] = Object.fromEntries(Object.entries(file[provider]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  writeFileSync(out, `${JSON.stringify(file, null, 1)}\n`);
  const counts = (Object.keys(PROVIDERS) as Provider[]).map((provider) => `${provider} ${Object.keys(file[provider]).length}`).join(", ");
  console.log(`wrote ${out}: ${counts} models, from ${file.source.from} (sha256 ${file.source.sha256.slice(0, 12)}…)`);
}

try {
  await main();
} catch (error) {
  console.error(`update-prices: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
