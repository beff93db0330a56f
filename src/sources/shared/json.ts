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
