import { isUtf8 } from "node:buffer";
import { isObject, parseJsonObject, type JsonObject } from "./json.ts";
import { stringEnd } from "./json-skip.ts";
import { Utf8Text, type Text } from "./text.ts";
import { TextArena, TextBlockPool } from "./text-arena.ts";
import type { ParseContext } from "../types.ts";

/*
 * The large strings of a long line (tool outputs of hundreds of KB, file contents) kept out of `JSON.parse`: the line
 * is parsed with each of them replaced by a placeholder, and a consumer that wants one takes its bytes, unescaped
 * straight from the line into UTF-8, or (rarely) a string. Decoding a whole line to UTF-16 and parsing it was most of
 * the CPU of a transcript export, and most of its garbage (docs/performance.md [S9]).
 *
 * A string left out of the parse is read leniently, as the usage-only reader (which leaves `message.content` unparsed)
 * already does: a raw control character or a malformed escape there does not make the line bad.
 */

/** Lines shorter than this are parsed whole. */
const MIN_LINE = 64 << 10;
/** Strings (their escaped bytes) shorter than this stay in the parse. */
const MIN_STRING = 8 << 10;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** A placeholder's JSON is `"\u0000<index>"`: no JSON string of a line that holds `\u0000` is replaced. */
const ESCAPED_NUL = Buffer.from("\\u0000");
const PLACEHOLDER_START = Buffer.from('"\\u0000');

export interface LargeStringLimits {
  minLine: number;
  minString: number;
  /**
   * Only the values of these keys (written `"key":"…"`, without spaces) are left out: the consumers of those keys take
   * them back (`text`, `string`, `materialize`), and a value of any other key stays in the parse whatever its size.
   */
  keys: readonly string[];
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** The four hex digits at `at`, or -1. */
function hex4(bytes: Buffer, at: number, end: number): number {
  if (at + 4 > end) return -1;
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const digit = hexValue(bytes[at + i] as number);
    if (digit < 0) return -1;
    value = (value << 4) | digit;
  }
  return value;
}

function putCodePoint(out: Buffer, at: number, code: number): number {
  if (code < 0x80) {
    out[at++] = code;
  } else if (code < 0x800) {
    out[at++] = 0xc0 | (code >> 6);
    out[at++] = 0x80 | (code & 0x3f);
  } else if (code < 0x10000) {
    out[at++] = 0xe0 | (code >> 12);
    out[at++] = 0x80 | ((code >> 6) & 0x3f);
    out[at++] = 0x80 | (code & 0x3f);
  } else {
    out[at++] = 0xf0 | (code >> 18);
    out[at++] = 0x80 | ((code >> 12) & 0x3f);
    out[at++] = 0x80 | ((code >> 6) & 0x3f);
    out[at++] = 0x80 | (code & 0x3f);
  }
  return at;
}

const SIMPLE_ESCAPES = new Int16Array(256).fill(-1);
for (const [letter, byte] of [["b", 0x08], ["f", 0x0c], ["n", 0x0a], ["r", 0x0d], ["t", 0x09], ['"', 0x22], ["\\", 0x5c], ["/", 0x2f]] as const) {
  SIMPLE_ESCAPES[letter.charCodeAt(0)] = byte;
}

/**
 * The UTF-8 of the JSON string content `bytes[start..end]` (escaped, valid UTF-8), as `JSON.parse` and a UTF-8 encoding
 * of the result would give it: lone surrogates become U+FFFD. Unescaping never lengthens, so `out` needs `end - start`
 * bytes. A malformed escape is kept as it stands.
 *
 * A plain loop, left to the top JIT tier (unlike most hot functions, see jit-tier.ts): over hundreds of MB of tool
 * outputs it runs at ~1 ns a byte there, faster than copying the runs between escapes natively (one every ~40 bytes).
 */
export function unescapeJson(bytes: Buffer, start: number, end: number, out: Buffer): number {
  let at = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte !== BACKSLASH) {
      out[at++] = byte;
      continue;
    }
    const simple = i + 1 < end ? (SIMPLE_ESCAPES[bytes[i + 1] as number] as number) : -1;
    if (simple >= 0) {
      out[at++] = simple;
      i++;
      continue;
    }
    const unit = bytes[i + 1] === 0x75 ? hex4(bytes, i + 2, end) : -1;
    if (unit < 0) {
      // Not an escape JSON knows: kept as written (the usage-only reader would not have looked at it either).
      out[at++] = BACKSLASH;
      continue;
    }
    i += 5;
    if (unit >= 0xd800 && unit <= 0xdbff && bytes[i + 1] === BACKSLASH && bytes[i + 2] === 0x75) {
      const low = hex4(bytes, i + 3, end);
      if (low >= 0xdc00 && low <= 0xdfff) {
        at = putCodePoint(out, at, 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
        i += 6;
        continue;
      }
    }
    at = putCodePoint(out, at, unit >= 0xd800 && unit <= 0xdfff ? 0xfffd : unit);
  }
  return at;
}

/**
 * One thread's reader of large strings: `reduce` replaces them in a line, and while that line's value is handled,
 * `text`, `string` and `materialize` give them back. Placeholders are strings starting with U+0000.
 */
export class LargeStrings {
  readonly #limits: LargeStringLimits;
  /** `"key":` of each key whose values may be left out. */
  readonly #keys: Buffer[];
  #line: Buffer | null = null;
  /** Content start and end (exclusive) of each replaced string of the current line. */
  #starts: number[] = [];
  #ends: number[] = [];
  #reduced = Buffer.allocUnsafe(1 << 16);
  /** The unescaped head of a string `startsWith` looks at. */
  #head = Buffer.allocUnsafe(256);

  /** `arena`: the memory of the texts `text` makes (the file's, handed back once its rows are staged). */
  constructor(
    private readonly arena: TextArena,
    limits: LargeStringLimits,
  ) {
    this.#limits = limits;
    this.#keys = limits.keys.map((key) => Buffer.from(`${JSON.stringify(key)}:`));
  }

  /** Whether the string whose opening quote is at `quote` is the value of one of the keys. */
  private isValueOfKey(line: Buffer, quote: number): boolean {
    for (const key of this.#keys) {
      const start = quote - key.length;
      if (start >= 0 && line.compare(key, 0, key.length, start, quote) === 0) return true;
    }
    return false;
  }

  /** The line's value parsed with its large strings replaced; null when the line is not long, has none, or does not parse so. */
  parse(line: Buffer): JsonObject | null {
    this.release();
    if (line.length < this.#limits.minLine || line.indexOf(ESCAPED_NUL) >= 0) return null;
    const starts = this.#starts;
    const ends = this.#ends;
    for (let position = line.indexOf(QUOTE); position >= 0; position = line.indexOf(QUOTE, position)) {
      const end = stringEnd(line, position, line.length);
      if (end < 0) break;
      const close = end - 1;
      if (close - position - 1 >= this.#limits.minString && this.isValueOfKey(line, position)) {
        starts.push(position + 1);
        ends.push(close);
      }
      position = close + 1;
    }
    if (starts.length === 0) return null;
    let size = line.length;
    for (let i = 0; i < starts.length; i++) size -= (ends[i] as number) - (starts[i] as number) - 12;
    if (this.#reduced.length < size) this.#reduced = Buffer.allocUnsafe(Math.max(size, this.#reduced.length * 2));
    const reduced = this.#reduced;
    let at = 0;
    let from = 0;
    for (let i = 0; i < starts.length; i++) {
      at += line.copy(reduced, at, from, (starts[i] as number) - 1);
      at += PLACEHOLDER_START.copy(reduced, at);
      at += reduced.write(`${i}"`, at, "latin1");
      from = (ends[i] as number) + 1;
    }
    at += line.copy(reduced, at, from);
    const value = parseJsonObject(reduced.subarray(0, at));
    if (value === null) {
      this.release();
      return null;
    }
    this.#line = line;
    return value;
  }

  /** The texts `text` made are no longer used (the file's rows are staged): their memory goes back to the thread. */
  releaseTexts(): void {
    this.arena.release();
  }

  /** Forgets the current line (its bytes are only valid while its value is handled). */
  release(): void {
    this.#line = null;
    this.#starts.length = 0;
    this.#ends.length = 0;
  }

  /** The index of the large string `value` stands for, or -1. */
  private index(value: unknown): number {
    if (this.#line === null || typeof value !== "string" || value.charCodeAt(0) !== 0) return -1;
    const index = Number(value.slice(1));
    return Number.isInteger(index) && index >= 0 && index < this.#starts.length ? index : -1;
  }

  /** Whether `value` is a placeholder of the current line. */
  isLarge(value: unknown): boolean {
    return this.index(value) >= 0;
  }

  /** Where the string a placeholder stands for lies in the current line (its escaped content), or null. */
  private span(value: string): { line: Buffer; start: number; end: number } | null {
    const index = this.index(value);
    if (index < 0) return null;
    return { line: this.#line as Buffer, start: this.#starts[index] as number, end: this.#ends[index] as number };
  }

  /**
   * Whether the string of the value starts with `prefix` (ASCII), reading no more of a placeholder's bytes than its
   * prefix can take: each ASCII character is at most 6 bytes escaped (`\u0046`), so the first `6 × length` bytes,
   * unescaped, start with the prefix's bytes exactly when the string does (an escape cut at their end makes bytes
   * after those; a non-ASCII character makes bytes that are not ASCII). A Write's result (the activity metrics ask)
   * can be hundreds of KB with a `\n` near its start; the whole of it was parsed.
   */
  startsWith(value: string, prefix: string): boolean {
    const span = this.span(value);
    if (span === null) return value.startsWith(prefix);
    const { line, start, end } = span;
    const head = Math.min(end, start + 6 * prefix.length);
    if (this.#head.length < head - start) this.#head = Buffer.allocUnsafe(head - start);
    const length = unescapeJson(line, start, head, this.#head);
    return length >= prefix.length && this.#head.toString("latin1", 0, prefix.length) === prefix;
  }

  /** A string of the value as text: a placeholder as the UTF-8 bytes of its string (a copy), other strings as they are. */
  text(value: string): Text {
    const span = this.span(value);
    if (span === null) return value;
    const { line, start, end } = span;
    if (!isUtf8(line.subarray(start, end))) return this.string(value);
    if (end === start) return "";
    const out = this.arena.take(end - start);
    return new Utf8Text(this.arena.trim(out, unescapeJson(line, start, end, out)));
  }

  /**
   * A string of the value as a string: a placeholder as `JSON.parse` of the whole line would have given it (lossy
   * UTF-8, lone surrogates kept), or unescaped leniently when it would not have parsed.
   */
  string(value: string): string {
    const span = this.span(value);
    if (span === null) return value;
    const { line, start, end } = span;
    try {
      return JSON.parse(`"${line.toString("utf8", start, end)}"`) as string;
    } catch {
      const out = Buffer.allocUnsafe(end - start);
      return out.toString("utf8", 0, unescapeJson(line, start, end, out));
    }
  }

  /** `value` with every placeholder in it replaced by its string (the same object when the line has none). */
  materialize<T>(value: T): T {
    if (this.#line === null) return value;
    return this.materializeValue(value) as T;
  }

  private materializeValue(value: unknown): unknown {
    if (typeof value === "string") return this.string(value);
    if (Array.isArray(value)) return value.map((item) => this.materializeValue(item));
    if (!isObject(value)) return value;
    const copy: JsonObject = {};
    for (const key of Object.keys(value)) copy[key] = this.materializeValue(value[key]);
    return copy;
  }
}


/**
 * The reader of a parse with transcripts (`context.transcripts`), whose long values of `keys` are read from the line's
 * bytes into blocks of the thread's (`context.texts`); null without transcripts. `context.largeStrings` (tests) sets
 * other limits.
 */
export function transcriptStrings(context: ParseContext | undefined, keys: readonly string[]): LargeStrings | null {
  if (!context?.transcripts) return null;
  return new LargeStrings(new TextArena(context.texts ?? new TextBlockPool()), { minLine: MIN_LINE, minString: MIN_STRING, keys, ...context.largeStrings });
}
