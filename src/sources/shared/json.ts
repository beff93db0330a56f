export type JsonObject = { [key: string]: unknown };

const decoder = new TextDecoder("utf-8", { fatal: false });

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Lossy UTF-8 (invalid bytes become U+FFFD), then JSON; `null` unless the result is an object. */
export function parseJsonObject(bytes: Uint8Array): JsonObject | null {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    return null;
  }
  return isObject(value) ? value : null;
}

/** JSON of Latin-1 text (see `JsonlHandler.recordLatin1`); `null` unless an object. */
export function parseLatin1(bytes: Buffer): JsonObject | null {
  return parseLatin1Text(bytes.toString("latin1"));
}

/** `JSON.parse`; `null` unless the text is a JSON object. */
export function parseLatin1Text(text: string): JsonObject | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return isObject(value) ? value : null;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** True when every string is pure ASCII (then its Latin-1 and UTF-8 readings agree). */
export function allAscii(...values: string[]): boolean {
  for (const value of values) if (NON_ASCII.test(value)) return false;
  return true;
}

const ABOVE_LATIN1 = /[^\x00-\xff]/;
const ESCAPE = Buffer.from("\\u00");

/**
 * The UTF-8 text of a string read from a Latin-1 reading of `line`: its characters are the raw bytes, so decoding
 * them (lossily, as the UTF-8 reading does) gives the same text, unless a JSON escape produced a character
 * U+0080..U+00FF (indistinguishable from a raw byte) or above U+00FF: then `null` (parse the line as UTF-8).
 */
export function latin1ToUtf8(text: string, line: Buffer): string | null {
  if (ABOVE_LATIN1.test(text)) return null;
  for (let at = line.indexOf(ESCAPE); at >= 0; at = line.indexOf(ESCAPE, at + 1)) {
    const digit = line[at + 4];
    // `\u008…` to `\u00f…`; a false alarm (an escaped backslash before `u00`) only costs the UTF-8 parse.
    if (digit !== undefined && ((digit >= 0x38 && digit <= 0x39) || (digit >= 0x61 && digit <= 0x66) || (digit >= 0x41 && digit <= 0x46))) return null;
  }
  return Buffer.from(text, "latin1").toString("utf8");
}

/** The string at `key`, or `""`; never a lone surrogate. */
export function str(object: JsonObject | undefined, key: string): string {
  const value = object?.[key];
  return typeof value === "string" ? value.toWellFormed() : "";
}

/** A finite number at `key`, or 0 (the Go parsers would reject the whole line; we keep the rest of it). */
export function num(object: JsonObject | undefined, key: string): number {
  const value = object?.[key];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

export function optNum(object: JsonObject | undefined, key: string): number | undefined {
  const value = object?.[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function obj(object: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = object?.[key];
  return isObject(value) ? value : undefined;
}


/** The `field` texts of the entries of `items` whose `type` is one of `types`, joined by newlines (`""` for a non-array). */
export function joinTexts(items: unknown, types: readonly string[], field: string): string {
  if (!Array.isArray(items)) return "";
  const texts: string[] = [];
  for (const item of items) if (isObject(item) && types.includes(str(item, "type"))) texts.push(str(item, field));
  return texts.join("\n");
}
