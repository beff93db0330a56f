import type { Text } from "./text.ts";

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
interface ByteSink {
  /** `bytes` may be a scratch buffer that is written again after the call: copy what is kept. */
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
const OPEN = Buffer.from("{");
const COMMA = Buffer.from(",");
const COLON = Buffer.from(":");
const CLOSE = Buffer.from("}");
const MAX_ORDERS = 256;
let orders: KeyOrder[] = [];

export function sameKeys(order: KeyOrder, keys: readonly string[], extraKey: string | undefined): boolean {
  if (order.extraKey !== extraKey || order.keys.length !== keys.length) return false;
  for (let i = 0; i < keys.length; i++) if (order.keys[i] !== keys[i]) return false;
  return true;
}

/** UTF-8 byte order of the keys as they are written (a lone surrogate is U+FFFD there). */
export function byEncodedBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function newOrder(keys: readonly string[], extraKey: string | undefined): KeyOrder {
  const names = [...keys];
  if (extraKey !== undefined && !names.includes(extraKey)) names.push(extraKey);
  names.sort(byEncodedBytes);
  const bytes = new GoJsonBytes();
  const prefixes = names.map((name, i) => Buffer.concat([i === 0 ? OPEN : COMMA, bytes.of(name), COLON]));
  const order = { keys, extraKey, names, prefixes, extraAt: extraKey === undefined ? -1 : names.indexOf(extraKey) };
  if (orders.length >= MAX_ORDERS) orders = [];
  orders.push(order);
  return order;
}

export function keyOrder(keys: readonly string[], extraKey: string | undefined): KeyOrder {
  for (let i = 0; i < orders.length; i++) {
    const order = orders[i] as KeyOrder;
    if (sameKeys(order, keys, extraKey)) return order;
  }
  return newOrder(keys, extraKey);
}

/** What Go writes unchanged between the quotes: printable ASCII but `"` `\\` `<` `>` `&`. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]*$/;

/** Escapes per byte of UTF-8: 1 for a two-byte escape (`\n`), 5 for `\u00xx`, 9 for 0xE2 (U+2028/U+2029 start with it), else 0. */
const ESCAPE_KIND = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte++) ESCAPE_KIND[byte] = 5;
for (const byte of [0x3c, 0x3e, 0x26]) ESCAPE_KIND[byte] = 5;
/** The letter after the backslash of the two-byte escapes. */
const SHORT_ESCAPE = new Uint8Array(256);
for (const [byte, letter] of [[0x08, "b"], [0x09, "t"], [0x0a, "n"], [0x0c, "f"], [0x0d, "r"], [0x22, '"'], [0x5c, "\\"]] as const) {
  ESCAPE_KIND[byte] = 1;
  SHORT_ESCAPE[byte] = letter.charCodeAt(0);
}
ESCAPE_KIND[0xe2] = 9;
const HEX = Buffer.from("0123456789abcdef");
/** Scratch buffers larger than this are not kept after a value. */
const KEPT_SCRATCH = 4 << 20;

/**
 * Go's JSON of a string (see the top of this file) as UTF-8 bytes, without strings in between: the text is encoded
 * once (lone surrogates become U+FFFD) and escaped byte by byte into a second buffer. For long texts (transcripts:
 * tool outputs of hundreds of KB) this was 2–3x faster than `JSON.stringify` and replacing what only Go escapes,
 * and makes no garbage the size of the text.
 */
export class GoJsonBytes {
  #text = Buffer.allocUnsafe(1 << 12);
  #json = new Uint8Array(1 << 12);

  of(value: string): Uint8Array {
    const maxText = value.length * 3;
    const text = maxText <= this.#text.length ? this.#text : Buffer.allocUnsafe(maxText);
    if (text.length <= KEPT_SCRATCH) this.#text = text;
    return this.ofUtf8(text, text.write(value, 0, "utf8"));
  }

  /**
   * The JSON of the text whose UTF-8 (valid: as a string's encoding) is `text[0..length]`. Left to the top JIT tier
   * (see staging/hot-paths.ts): on transcripts' tool outputs this loop runs 1.6x faster there.
   */
  ofUtf8(text: Uint8Array, length = text.length): Uint8Array {
    const maxJson = length * 6 + 2;
    const json = maxJson <= this.#json.length ? this.#json : new Uint8Array(maxJson);
    if (json.length <= KEPT_SCRATCH) this.#json = json;
    let at = 0;
    json[at++] = 0x22;
    for (let i = 0; i < length; i++) {
      const byte = text[i] as number;
      const kind = ESCAPE_KIND[byte] as number;
      if (kind === 0) {
        json[at++] = byte;
      } else if (kind === 1) {
        json[at++] = 0x5c;
        json[at++] = SHORT_ESCAPE[byte] as number;
      } else if (kind === 5) {
        json[at++] = 0x5c;
        json[at++] = 0x75;
        json[at++] = 0x30;
        json[at++] = 0x30;
        json[at++] = HEX[byte >> 4] as number;
        json[at++] = HEX[byte & 15] as number;
      } else if (text[i + 1] === 0x80 && ((text[i + 2] as number) & 0xfe) === 0xa8) {
        // U+2028 / U+2029 (E2 80 A8 / A9)
        json[at++] = 0x5c;
        json[at++] = 0x75;
        json[at++] = 0x32;
        json[at++] = 0x30;
        json[at++] = 0x32;
        json[at++] = text[i + 2] === 0xa8 ? 0x38 : 0x39;
        i += 2;
      } else {
        json[at++] = byte;
      }
    }
    json[at++] = 0x22;
    return json.subarray(0, at);
  }
}

export function writeJsonString(sink: ByteSink, value: Text, bytes: GoJsonBytes): void {
  if (typeof value !== "string") sink.appendBytes(bytes.ofUtf8(value.bytes));
  else if (PLAIN_ASCII.test(value)) sink.appendQuotedAscii(value);
  else sink.appendBytes(bytes.of(value));
}

/** The values of `attributes` in `order` (`extraValue` at the extra key), into `values`. */
export function orderedValues(order: KeyOrder, attributes: Record<string, Text>, extraValue: string | undefined, values: Text[]): Text[] {
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
export function writePairs(sink: ByteSink, order: KeyOrder, values: readonly Text[], from: number, ends: PairEnds | null, bytes: GoJsonBytes): void {
  if (values.length === 0) {
    sink.appendBytes(EMPTY);
    return;
  }
  for (let i = from; i < values.length; i++) {
    sink.appendBytes(order.prefixes[i] as Buffer);
    writeJsonString(sink, values[i] as Text, bytes);
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
 * attributes object with the same extra value is the same JSON (Claude's `_user_facing` twins), and maps whose first
 * keys and values are the same share those pairs' bytes (the four token types of one response differ only in `type`,
 * which sorts last; its cost rows have no `type`).
 */
export class AttributeJsonWriter {
  #column: TextColumn | null = null;
  #generation = 0;
  #rows = 0;
  #attributes: Record<string, Text> | null = null;
  #order: KeyOrder | null = null;
  #extraValue: string | undefined;
  /** The last value's values in key order, and where each pair ended in it. */
  #values: Text[] = [];
  #ends: PairEnds | null = null;
  #next: Text[] = [];
  readonly #bytes = new GoJsonBytes();

  push(column: TextColumn, attributes: Record<string, Text>, extraKey?: string, extraValue?: string): void {
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
    if (follows && last !== null) {
      // A pair is the same bytes where the key is at the same place (its prefix) and the value the same: also across
      // key sets (a response's cost rows are its token rows' pairs without the `type` that sorts last).
      const previous = this.#values;
      const names = order.names;
      const lastNames = last.names;
      const most = Math.min(values.length, previous.length);
      while (shared < most && names[shared] === lastNames[shared] && values[shared] === previous[shared]) shared++;
    }
    if (this.#ends?.column !== column) this.#ends = { column, at: [] };
    column.beginText();
    if (shared > 0) column.appendFromPrevious(this.#ends.at[shared - 1] as number);
    writePairs(column, order, values, shared, this.#ends, this.#bytes);
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
export function encodeAttributes(attributes: Record<string, Text>, extraKey?: string, extraValue?: string): string {
  const parts: Uint8Array[] = [];
  const sink: ByteSink = { appendBytes: (bytes) => parts.push(Buffer.from(bytes)), appendQuotedAscii: (text) => parts.push(Buffer.from(`"${text}"`)) };
  const order = keyOrder(Object.keys(attributes), extraKey);
  writePairs(sink, order, orderedValues(order, attributes, extraValue, []), 0, null, new GoJsonBytes());
  return Buffer.concat(parts).toString("utf8");
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
