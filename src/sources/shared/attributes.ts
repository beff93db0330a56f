/**
 * Go `encoding/json` of a `map[string]string`: keys in byte order, no spaces, `<` `>` `&` and U+2028/U+2029
 * escaped, invalid UTF-16 (lone surrogates) replaced by U+FFFD. An empty map is `{}`.
 */
export function encodeAttributes(attributes: Record<string, string>): string {
  const keys = Object.keys(attributes).sort(compareCodePoints);
  return `{${keys.map((key) => `${goJsonString(key)}:${goJsonString(attributes[key] ?? "")}`).join(",")}}`;
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

export function goJsonString(value: string): string {
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
