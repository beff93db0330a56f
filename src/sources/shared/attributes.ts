import { withoutTopTier } from "../../jit-tier.ts";
/**
 * Go `encoding/json` of a `map[string]string`: keys in byte order, no spaces, `<` `>` `&` and U+2028/U+2029
 * escaped, invalid UTF-16 (lone surrogates) replaced by U+FFFD. An empty map is `{}`.
 */
export function encodeAttributes(attributes: Record<string, string>, extraKey?: string, extraValue?: string): string {
  const keys = Object.keys(attributes);
  if (extraKey !== undefined && !(extraKey in attributes)) keys.push(extraKey);
  // UTF-16 order equals code point order unless a key holds a surrogate pair (rare): then compare properly.
  if (keys.some(hasSurrogate)) return encodeSorted(attributes, keys.sort(compareCodePoints), extraKey, extraValue);
  sortStrings(keys);
  return viaStringify(attributes, keys, extraKey, extraValue) ?? encodeSorted(attributes, keys, extraKey, extraValue);
}

/** Insertion sort by UTF-16 code units: maps have a handful of keys, and this beats Array#sort there. */
function sortStrings(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    for (; j >= 0 && (keys[j] as string) > key; j--) keys[j + 1] = keys[j] as string;
    keys[j + 1] = key;
  }
}

/** What JSON.stringify writes differently from Go: `<` `>` `&`, U+2028/U+2029 raw, lone surrogates as `\udXXX`. */
const NOT_GO = /[<>&\u2028\u2029]|\\ud[89a-f]/i;

/**
 * The fast path: JSON.stringify (native) of an object built in key order. It equals Go's encoding unless the
 * text holds one of NOT_GO (then `null`; a false alarm only costs the slow path). Keys that look like array
 * indexes would be put first by any JS object, so they take the slow path too.
 */
function viaStringify(attributes: Record<string, string>, keys: readonly string[], extraKey?: string, extraValue?: string): string | null {
  const ordered: Record<string, string> = {};
  for (const key of keys) {
    const first = key.charCodeAt(0);
    if (first >= 48 && first <= 57) return null;
    ordered[key] = key === extraKey ? (extraValue ?? "") : (attributes[key] ?? "");
  }
  const json = JSON.stringify(ordered);
  return NOT_GO.test(json) ? null : json;
}

function encodeSorted(attributes: Record<string, string>, keys: readonly string[], extraKey?: string, extraValue?: string): string {
  let json = "{";
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const value = key === extraKey ? (extraValue ?? "") : (attributes[key] ?? "");
    json += `${i === 0 ? "" : ","}${cachedJsonString(key)}:${cachedJsonString(value)}`;
  }
  return `${json}}`;
}

const SURROGATE = /[\ud800-\udfff]/;

function hasSurrogate(text: string): boolean {
  return SURROGATE.test(text);
}

// Keys and most values (models, types, session ids) repeat across millions of rows.
const encoded = new Map<string, string>();
const CACHE_LIMIT = 100_000;

function cachedJsonString(value: string): string {
  let json = encoded.get(value);
  if (json === undefined) {
    json = goJsonString(value);
    if (encoded.size >= CACHE_LIMIT) encoded.clear();
    encoded.set(value, json);
  }
  return json;
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029]/g;
const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

function escapeChar(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

const PLAIN = /^[^"\\\u0000-\u001f<>&\u2028\u2029]*$/;

export function goJsonString(value: string): string {
  // Most values (models, ids, types) need no escaping: skip the regex replace for them.
  if (PLAIN.test(value) && value.isWellFormed()) return `"${value}"`;
  return `"${value.toWellFormed().replace(NEEDS_ESCAPE, escapeChar)}"`;
}

/** UTF-8 byte order equals code point order (plain `<` compares UTF-16 units, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

withoutTopTier(encodeAttributes, viaStringify, sortStrings, encodeSorted, hasSurrogate);
