/**
 * Go `encoding/json` of a `map[string]string`: keys in byte order, no spaces, `<` `>` `&` and U+2028/U+2029
 * escaped, invalid UTF-16 (lone surrogates) replaced by U+FFFD. An empty map is `{}`.
 */
export function encodeAttributes(attributes: Record<string, string>, extraKey?: string, extraValue?: string): string {
  const keys = Object.keys(attributes);
  if (extraKey !== undefined && !(extraKey in attributes)) keys.push(extraKey);
  // UTF-16 order equals code point order unless a key holds a surrogate pair (rare): then compare properly.
  if (keys.some(hasSurrogate)) keys.sort(compareCodePoints);
  else keys.sort();
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
