/**
 * Pure rendering of the release metadata: `SHA256SUMS` lines and the Homebrew formula
 * (from `packaging/homebrew/ai-observer.rb.template`). No I/O, so tests can import it.
 */

/** The platforms the formula covers; Homebrew has no Windows. */
export const FORMULA_PLATFORMS = ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64"] as const;
export type FormulaPlatform = (typeof FORMULA_PLATFORMS)[number];

export interface ReleaseAsset {
  /** Archive file name, e.g. `ai-observer-0.1.0-linux-x64.tar.gz`. */
  name: string;
  /** Lower-case hex SHA-256 of the archive. */
  sha256: string;
}

export interface FormulaInput {
  version: string;
  homepage: string;
  /** Release download URL base; each archive's URL is `<baseUrl>/<name>`. */
  baseUrl: string;
  assets: Record<FormulaPlatform, ReleaseAsset>;
}

const SHA256 = /^[0-9a-f]{64}$/;

function checkAsset(asset: ReleaseAsset): void {
  if (!SHA256.test(asset.sha256)) throw new Error(`not a lower-case hex SHA-256 for ${asset.name}: ${asset.sha256}`);
  if (asset.name === "" || /[\s/\\]/.test(asset.name)) throw new Error(`invalid archive name: ${JSON.stringify(asset.name)}`);
}

/** `sha256sum` format (two spaces, text mode), sorted by name, one line each, final newline. */
export function formatSha256Sums(assets: readonly ReleaseAsset[]): string {
  const seen = new Set<string>();
  for (const asset of assets) {
    checkAsset(asset);
    if (seen.has(asset.name)) throw new Error(`duplicate archive name: ${asset.name}`);
    seen.add(asset.name);
  }
  return [...assets]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((asset) => `${asset.sha256}  ${asset.name}\n`)
    .join("");
}

/** `<base>/<name>`, with exactly one slash between them. */
export function assetUrl(baseUrl: string, name: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/${encodeURIComponent(name)}`;
}

/** A GitHub release download base (`https://github.com/o/r/releases/download/v1`) gives the repository page. */
export function defaultHomepage(baseUrl: string): string {
  const match = /^(https:\/\/github\.com\/[^/]+\/[^/]+)\/releases\/download\//.exec(baseUrl);
  return match ? (match[1] as string) : baseUrl.replace(/\/+$/, "");
}

/** The value goes into a Ruby double-quoted string: no quote, backslash, interpolation or newline. */
function rubyString(name: string, value: string): string {
  if (value === "" || /["\\\n\r]|#\{/.test(value)) throw new Error(`${name} cannot go into the formula: ${JSON.stringify(value)}`);
  return value;
}

function checkUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} is not a URL: ${value}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`${name} must be an http(s) URL: ${value}`);
  return rubyString(name, value);
}

const PLACEHOLDER = /\{\{([A-Z0-9_]+)\}\}/g;

function placeholderPrefix(platform: FormulaPlatform): string {
  return platform.toUpperCase().replace("-", "_");
}

/** The template's placeholders and their values. */
export function formulaValues(input: FormulaInput): Record<string, string> {
  if (!/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(input.version)) throw new Error(`not a release version: ${input.version}`);
  const values: Record<string, string> = {
    VERSION: input.version,
    HOMEPAGE: checkUrl("homepage", input.homepage),
  };
  for (const platform of FORMULA_PLATFORMS) {
    const asset = input.assets[platform];
    if (!asset) throw new Error(`the formula needs the ${platform} archive`);
    checkAsset(asset);
    const prefix = placeholderPrefix(platform);
    values[`${prefix}_URL`] = checkUrl(`${platform} URL`, assetUrl(input.baseUrl, asset.name));
    values[`${prefix}_SHA256`] = asset.sha256;
  }
  return values;
}

/** Fills every `{{NAME}}`; a placeholder without a value, or a value the template never uses, is an error. */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const missing = new Set<string>();
  const text = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return "";
    }
    used.add(name);
    return value;
  });
  if (missing.size > 0) throw new Error(`no value for template placeholder(s): ${[...missing].join(", ")}`);
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`the template does not use: ${unused.join(", ")}`);
  return text;
}

export function renderFormula(template: string, input: FormulaInput): string {
  return renderTemplate(template, formulaValues(input));
}
