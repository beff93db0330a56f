/**
 * Finding where a JSON value ends without parsing it, to leave out a large value the parser does
 * not need (the reader's `elide` option). Only brackets and string quotes are looked at; a
 * malformed value is not detected, only an unterminated one.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** End (exclusive: after its closing quote) of the string whose opening quote is at `start`, or -1. */
export function stringEnd(bytes: Buffer, start: number, limit: number): number {
  for (let quote = bytes.indexOf(QUOTE, start + 1); quote >= 0 && quote < limit; quote = bytes.indexOf(QUOTE, quote + 1)) {
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if ((backslashes & 1) === 0) return quote + 1;
  }
  return -1;
}

/** End (exclusive) of the array, object or string that starts at `start` (after whitespace), or -1. */
export function valueEnd(bytes: Buffer, start: number, limit = bytes.length): number {
  let at = start;
  while (at < limit && (bytes[at] === 0x20 || bytes[at] === 0x09 || bytes[at] === 0x0d || bytes[at] === 0x0a)) at++;
  const first = bytes[at];
  if (first === QUOTE) return stringEnd(bytes, at, limit);
  if (first !== 0x5b && first !== 0x7b) return -1;
  let depth = 0;
  for (; at < limit; at++) {
    const byte = bytes[at] as number;
    if (byte === QUOTE) {
      const end = stringEnd(bytes, at, limit);
      if (end < 0) return -1;
      at = end - 1;
    } else if (byte === 0x5b || byte === 0x7b) {
      depth++;
    } else if (byte === 0x5d || byte === 0x7d) {
      depth--;
      if (depth === 0) return at + 1;
    }
  }
  return -1;
}
