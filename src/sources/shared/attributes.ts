import { withoutTopTier } from "../../jit-tier.ts";

/*
 * Go `encoding/json` of a `map[string]string`: keys in byte order, no spaces, `<` `>` `&` and U+2028/U+2029
 * escaped, invalid UTF-16 (lone surrogates) replaced by U+FFFD. An empty map is `{}`.
 *
 * Written as UTF-8 parts into a `ByteSink` (a Parquet column takes them without a string in between): the
 * maps of a run have a handful of key sets, whose order and key bytes are worked out once; the values are
 * written as they come (a cache of their encodings, tens of thousands of ids, was slower: it does not stay
 * in the CPU's caches).
 */

/** Takes the parts of one value, in order. */
export interface ByteSink {
  appendBytes(bytes: Uint8Array): void;
  /** `"text"`: `text` is printable ASCII (0x20–0x7e) without `"` or `\`. */
  appendQuotedAscii(text: string): void;
}

/** The order of one key set, and the bytes that go before each value: `{"key":` for the first, `,"key":` after. */
interface KeyOrder {
  keys: readonly string[];
  extraKey: string | undefined;
  names: string[];
  prefixes: Buffer[];
  /** Where the extra key is in `names`, or -1. */
  extraAt: number;
}

const EMPTY = Buffer.from("{}");
const CLOSE = Buffer.from("}");
const MAX_ORDERS = 256;
let orders: KeyOrder[] = [];

function sameKeys(order: KeyOrder, keys: readonly string[], extraKey: string | undefined): boolean {
  if (order.extraKey !== extraKey || order.keys.length !== keys.length) return false;
  for (let i = 0; i < keys.length; i++) if (order.keys[i] !== keys[i]) return false;
  return true;
}

/** UTF-8 byte order of the keys as they are written (a lone surrogate is U+FFFD there). */
function byEncodedBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function newOrder(keys: readonly string[], extraKey: string | undefined): KeyOrder {
  const names = [...keys];
  if (extraKey !== undefined && !names.includes(extraKey)) names.push(extraKey);
  names.sort(byEncodedBytes);
  const prefixes = names.map((name, i) => Buffer.from(`${i === 0 ? "{" : ","}${goJsonString(name)}:`));
  const order = { keys, extraKey, names, prefixes, extraAt: extraKey === undefined ? -1 : names.indexOf(extraKey) };
  if (orders.length >= MAX_ORDERS) orders = [];
  orders.push(order);
  return order;
}

function keyOrder(keys: readonly string[], extraKey: string | undefined): KeyOrder {
  for (let i = 0; i < orders.length; i++) {
    const order = orders[i] as KeyOrder;
    if (sameKeys(order, keys, extraKey)) return order;
  }
  return newOrder(keys, extraKey);
}

/** What Go writes unchanged between the quotes: printable ASCII but `"` `\\` `<` `>` `&`. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]*$/;

function writeJsonString(sink: ByteSink, value: string): void {
  if (PLAIN_ASCII.test(value)) sink.appendQuotedAscii(value);
  else sink.appendBytes(Buffer.from(goJsonString(value)));
}

/** The values of `attributes` in `order` (`extraValue` at the extra key), into `values`. */
function orderedValues(order: KeyOrder, attributes: Record<string, string>, extraValue: string | undefined, values: string[]): string[] {
  const names = order.names;
  values.length = names.length;
  for (let i = 0; i < names.length; i++) values[i] = i === order.extraAt ? (extraValue ?? "") : (attributes[names[i] as string] ?? "");
  return values;
}

/** Where each pair of the value being written into `column` ends in it. */
interface PairEnds {
  column: TextColumn;
  at: number[];
}

/** The JSON's pairs from pair `from` on, and its closing brace (`{}` for no pairs), noting their `ends`. */
function writePairs(sink: ByteSink, order: KeyOrder, values: readonly string[], from: number, ends: PairEnds | null): void {
  if (values.length === 0) {
    sink.appendBytes(EMPTY);
    return;
  }
  for (let i = from; i < values.length; i++) {
    sink.appendBytes(order.prefixes[i] as Buffer);
    writeJsonString(sink, values[i] as string);
    if (ends) ends.at[i] = ends.column.textLength;
  }
  sink.appendBytes(CLOSE);
}

/** A text column that takes attribute JSON one value after another (a Parquet column builder). */
export interface TextColumn extends ByteSink {
  /** Counts the column's resets: its earlier values are gone when it changed. */
  readonly generation: number;
  readonly rows: number;
  beginText(): void;
  /** Bytes written since `beginText`. */
  readonly textLength: number;
  /** Bytes `0..to` of the value before the one `beginText` started, as its next part. */
  appendFromPrevious(to: number): void;
  endText(): void;
  /** The last value once more. */
  pushRepeated(): void;
}

/**
 * Attribute JSON (see `encodeAttributes`) into a column, row after row, reusing what the row before wrote there: the same
 * attributes object with the same extra value is the same JSON (Claude's `_user_facing` twins), and maps
 * with the same keys whose first values are the same share those pairs' bytes (the four token types of
 * one response differ only in `type`, which sorts last).
 */
export class AttributeJsonWriter {
  #column: TextColumn | null = null;
  #generation = 0;
  #rows = 0;
  #attributes: Record<string, string> | null = null;
  #order: KeyOrder | null = null;
  #extraValue: string | undefined;
  /** The last value's values in key order, and where each pair ended in it. */
  #values: string[] = [];
  #ends: PairEnds | null = null;
  #next: string[] = [];

  push(column: TextColumn, attributes: Record<string, string>, extraKey?: string, extraValue?: string): void {
    const follows = column === this.#column && column.generation === this.#generation && column.rows === this.#rows;
    const last = this.#order;
    if (follows && attributes === this.#attributes && extraValue === this.#extraValue && last !== null && last.extraKey === extraKey) {
      column.pushRepeated();
      this.#rows = column.rows;
      return;
    }
    const order = keyOrder(Object.keys(attributes), extraKey);
    const values = orderedValues(order, attributes, extraValue, this.#next);
    let shared = 0;
    if (follows && order === last) {
      const previous = this.#values;
      while (shared < values.length && values[shared] === previous[shared]) shared++;
    }
    if (this.#ends?.column !== column) this.#ends = { column, at: [] };
    column.beginText();
    if (shared > 0) column.appendFromPrevious(this.#ends.at[shared - 1] as number);
    writePairs(column, order, values, shared, this.#ends);
    column.endText();
    this.#next = this.#values;
    this.#values = values;
    this.#column = column;
    this.#generation = column.generation;
    this.#rows = column.rows;
    this.#attributes = attributes;
    this.#order = order;
    this.#extraValue = extraValue;
  }
}

/** The JSON of `attributes`, with `extraKey` set to `extraValue` (added, or replacing its value), as a string. */
export function encodeAttributes(attributes: Record<string, string>, extraKey?: string, extraValue?: string): string {
  const parts: Uint8Array[] = [];
  const sink: ByteSink = { appendBytes: (bytes) => parts.push(bytes), appendQuotedAscii: (text) => parts.push(Buffer.from(`"${text}"`)) };
  const order = keyOrder(Object.keys(attributes), extraKey);
  writePairs(sink, order, orderedValues(order, attributes, extraValue, []), 0, null);
  return Buffer.concat(parts).toString("utf8");
}

const PLAIN = /^[^"\\\u0000-\u001f<>&\u2028\u2029]*$/;

/** What Go escapes beyond JSON.stringify: HTML's `<` `>` `&`, and U+2028/U+2029. */
const GO_ONLY = /[<>&\u2028\u2029]/;

export function goJsonString(value: string): string {
  // Most values (models, ids, types) need no escaping: skip the regex replace for them.
  if (PLAIN.test(value) && value.isWellFormed()) return `"${value}"`;
  // Long texts (transcripts): the native encoder escapes quotes, backslashes and control characters as Go does
  // (short forms for \b \f \n \r \t, else \u00xx); what only Go escapes is replaced after it.
  const json = JSON.stringify(value.isWellFormed() ? value : value.toWellFormed());
  if (!GO_ONLY.test(json)) return json;
  // Native passes without a callback per character: code is full of `<`, `>` and `&`.
  return json.replaceAll("<", "\\u003c").replaceAll(">", "\\u003e").replaceAll("&", "\\u0026").replaceAll("\u2028", "\\u2028").replaceAll("\u2029", "\\u2029");
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

withoutTopTier(keyOrder, sameKeys, writeJsonString, orderedValues, writePairs, AttributeJsonWriter.prototype.push);
