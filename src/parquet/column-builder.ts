/** How a DuckDB column type is stored in Parquet (as DuckDB itself writes it). */
export type ColumnKind = "TIMESTAMP" | "VARCHAR" | "JSON" | "INTEGER" | "UINTEGER" | "BIGINT" | "UBIGINT" | "DOUBLE" | "BOOLEAN";

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
}

const TWO_32 = 2 ** 32;

/** A signed 64-bit little-endian integer from a JS integer (exact below 2^53 in magnitude). */
export function writeInt64LE(bytes: Buffer, value: number, at: number): number {
  const high = Math.floor(value / TWO_32);
  bytes.writeUInt32LE(value - high * TWO_32, at);
  bytes.writeInt32LE(high | 0, at + 4);
  return at + 8;
}
/** A signed 64-bit little-endian integer as a JS number (exact below 2^53 in magnitude). */
export function readInt64LE(bytes: Buffer, at: number): number {
  return bytes.readInt32LE(at + 4) * TWO_32 + bytes.readUInt32LE(at);
}

/** How the PLAIN values of a number column read back, for min/max of appended values. */
const NUMBER_READERS: Partial<Record<ColumnKind, { size: number; read: (bytes: Buffer, at: number) => number }>> = {
  TIMESTAMP: { size: 8, read: readInt64LE },
  BIGINT: { size: 8, read: readInt64LE },
  UBIGINT: { size: 8, read: readInt64LE },
  INTEGER: { size: 4, read: (bytes, at) => bytes.readInt32LE(at) },
  UINTEGER: { size: 4, read: (bytes, at) => bytes.readUInt32LE(at) },
  DOUBLE: { size: 8, read: (bytes, at) => bytes.readDoubleLE(at) },
};

/** Typed arrays read in the platform's byte order; PLAIN is little-endian (as are x64 and arm64). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A typed view of `rows` PLAIN numbers at `bytes[at..]` (int64: its 32-bit words), when the alignment allows one. */
function alignedView(kind: ColumnKind, bytes: Buffer, at: number, rows: number): Float64Array | Int32Array | Uint32Array | { words: Int32Array } | null {
  const offset = bytes.byteOffset + at;
  if (!LITTLE_ENDIAN) return null;
  switch (kind) {
    case "DOUBLE":
      return offset % 8 === 0 ? new Float64Array(bytes.buffer, offset, rows) : null;
    case "INTEGER":
      return offset % 4 === 0 ? new Int32Array(bytes.buffer, offset, rows) : null;
    case "UINTEGER":
      return offset % 4 === 0 ? new Uint32Array(bytes.buffer, offset, rows) : null;
    case "TIMESTAMP":
    case "BIGINT":
    case "UBIGINT":
      return offset % 4 === 0 ? { words: new Int32Array(bytes.buffer, offset, rows * 2) } : null;
    default:
      return null;
  }
}

/** How a number column writes a value. */
const enum NumberWrite {
  None,
  Int64,
  Int32,
  UInt32,
  Double,
}
const NUMBER_WRITES: Partial<Record<ColumnKind, NumberWrite>> = {
  TIMESTAMP: NumberWrite.Int64,
  BIGINT: NumberWrite.Int64,
  UBIGINT: NumberWrite.Int64,
  INTEGER: NumberWrite.Int32,
  UINTEGER: NumberWrite.UInt32,
  DOUBLE: NumberWrite.Double,
};

/** Room before the values for the page's definition levels (a column without NULLs needs 6 bytes). */
const FRONT = 64;

/**
 * The values of one column in one row group, PLAIN-encoded as they arrive, with the
 * definition levels (null or not) kept as runs. Numbers must be integers for the integer
 * kinds (TIMESTAMP: microseconds since 1970, naive UTC).
 */
export class ColumnBuilder {
  #values: Buffer;
  #length = FRONT;
  /** Where the last text value's length word is (-1: none since the last reset). */
  #textStart = -1;
  /** While a value is written in parts: where the value before it starts (-1: none). */
  #previousStart = -1;
  /** Counts resets, so a cell can tell that its column is still where it left it (see pushRepeated). */
  generation = 0;
  /** Definition-level runs: [level, count, level, count, …]. */
  readonly runs: number[] = [];
  #bits: number[] | null;
  // The kind, worked out once: comparing `spec.kind` (a string) on every value costs more than the value's write.
  readonly #takesText: boolean;
  readonly #number: NumberWrite;
  nulls = 0;
  rows = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** Front coding (see `frontCoded`): the sum of each value's PLAIN size once expanded, its last value's length then. */
  #expanded = 0;
  #lastExpanded = 0;
  /** The bytes the value being written takes from the one before (front coding). */
  #shared = 0;

  /**
   * `capacity`: bytes of values to make room for at once (memory is only used as it is written). `frontCoded`: a
   * staging column of text values written in parts (beginText … endText), each stored as the bytes it shares with the
   * value before (a 4-byte count: `appendFromPrevious`, or all of it: `pushRepeated`) and then its own: attribute JSON
   * whose rows differ in a pair or not at all takes a fraction of its PLAIN size. `appendFrontCoded` expands them.
   */
  constructor(
    readonly spec: ColumnSpec,
    capacity = 1 << 14,
    readonly frontCoded = false,
  ) {
    this.#values = Buffer.allocUnsafe(FRONT + capacity);
    this.#bits = spec.kind === "BOOLEAN" ? [] : null;
    this.#takesText = spec.kind === "VARCHAR" || spec.kind === "JSON";
    this.#number = NUMBER_WRITES[spec.kind] ?? NumberWrite.None;
  }

  /** Empty again, keeping its memory (a builder reused from file to file). */
  reset(): void {
    this.generation++;
    this.#expanded = 0;
    this.#lastExpanded = 0;
    this.#textStart = -1;
    this.#length = FRONT;
    this.runs.length = 0;
    if (this.#bits) this.#bits = [];
    this.nulls = 0;
    this.rows = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }

  get bytes(): number {
    return this.#length - FRONT;
  }

  /** The bytes of its values as PLAIN: `bytes`, but for a front-coded column the values' once expanded. */
  get plainBytes(): number {
    return this.frontCoded ? this.#expanded : this.#length - FRONT;
  }

  /** The next text value shares nothing with those before (front coding: the first value of an event's rows). */
  breakSharing(): void {
    this.generation++;
  }

  /** Whether it is a text column (VARCHAR or JSON). */
  get takesText(): boolean {
    return this.#takesText;
  }

  private level(defined: 0 | 1): void {
    this.rows++;
    const last = this.runs.length - 2;
    if (last >= 0 && this.runs[last] === defined) (this.runs[last + 1] as number)++;
    else this.runs.push(defined, 1);
  }

  /** `rows` values, none NULL, taken at once (appendPlain, appendFrontCoded). */
  private definedRows(rows: number): void {
    this.rows += rows;
    const last = this.runs.length - 2;
    if (last >= 0 && this.runs[last] === 1) (this.runs[last + 1] as number) += rows;
    else this.runs.push(1, rows);
  }

  private reserve(bytes: number): void {
    if (this.#length + bytes <= this.#values.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#values.length * 2, this.#length + bytes));
    this.#values.copy(grown, 0, 0, this.#length);
    this.#values = grown;
  }

  pushNull(): void {
    this.#textStart = -1;
    this.nulls++;
    this.level(0);
  }

  pushNumber(value: number): void {
    this.level(1);
    if (!Number.isNaN(value)) {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    switch (this.#number) {
      case NumberWrite.Int64:
        this.reserve(8);
        this.#length = writeInt64LE(this.#values, value, this.#length);
        return;
      case NumberWrite.Int32:
        this.reserve(4);
        this.#length = this.#values.writeInt32LE(value, this.#length);
        return;
      case NumberWrite.UInt32:
        this.reserve(4);
        this.#length = this.#values.writeUInt32LE(value, this.#length);
        return;
      case NumberWrite.Double:
        this.reserve(8);
        this.#length = this.#values.writeDoubleLE(value, this.#length);
        return;
      default:
        throw new Error(`column ${this.spec.name} (${this.spec.kind}) takes no numbers`);
    }
  }

  pushBoolean(value: boolean): void {
    if (!this.#bits) throw new Error(`column ${this.spec.name} (${this.spec.kind}) takes no booleans`);
    this.level(1);
    this.#bits.push(value ? 1 : 0);
  }

  /** A string value as UTF-8 bytes: `bytes[start..end]`. */
  pushBytes(bytes: Buffer, start = 0, end = bytes.length): void {
    this.textKind();
    this.level(1);
    const length = end - start;
    this.reserve(4 + length);
    const values = this.#values;
    let at = this.#length;
    this.#textStart = at;
    values[at++] = length & 0xff;
    values[at++] = (length >>> 8) & 0xff;
    values[at++] = (length >>> 16) & 0xff;
    values[at++] = length >>> 24;
    if (length <= 32) {
      for (let i = start; i < end; i++) values[at++] = bytes[i] as number;
    } else {
      // Buffer#copy: no view object per value (set(subarray) costs several times more here).
      at += bytes.copy(values, at, start, end);
    }
    this.#length = at;
  }

  pushString(value: string): void {
    this.pushBytes(Buffer.from(value));
  }

  /** `whole`: a value in one piece, which a front-coded column does not take (its values come in parts: beginText). */
  private textKind(whole = true): void {
    if (!this.#takesText) throw new Error(`column ${this.spec.name} (${this.spec.kind}) takes no text`);
    if (whole && this.frontCoded) throw new Error(`column ${this.spec.name} is front-coded: it takes no whole text values`);
  }

  /** A string value, written as UTF-8 straight into the column (lone surrogates become U+FFFD, as with Buffer.from). */
  pushText(value: string): void {
    this.textKind();
    this.level(1);
    this.reserve(4 + value.length * 3);
    const at = this.#length;
    const length = this.#values.write(value, at + 4, "utf8");
    this.#values.writeUInt32LE(length, at);
    this.#textStart = at;
    this.#length = at + 4 + length;
  }

  /** Starts a text value given in parts (`appendBytes`), which `endText` ends. */
  beginText(): void {
    this.textKind(false);
    this.level(1);
    this.reserve(8);
    this.#previousStart = this.#textStart;
    this.#textStart = this.#length;
    this.#length += 4;
    if (this.frontCoded) {
      this.#shared = 0;
      this.#values.writeUInt32LE(0, this.#length);
      this.#length += 4;
    }
  }

  /** Bytes written since `beginText` (front coding: those of the value once expanded). */
  get textLength(): number {
    return this.frontCoded ? this.#shared + this.#length - this.#textStart - 8 : this.#length - this.#textStart - 4;
  }

  /** Bytes `0..to` of the text value before the one `beginText` started, as its next part (front coding: its first). */
  appendFromPrevious(to: number): void {
    if (this.frontCoded) {
      if (this.#previousStart < 0 || to > this.#lastExpanded || this.#length !== this.#textStart + 8) throw new Error(`column ${this.spec.name}: the value before has no bytes 0..${to}`);
      this.#shared = to;
      this.#values.writeUInt32LE(to, this.#textStart + 4);
      return;
    }
    const from = this.#previousStart + 4;
    if (this.#previousStart < 0 || from + to > this.#textStart) throw new Error(`column ${this.spec.name}: the value before has no bytes 0..${to}`);
    this.reserve(to);
    this.#length += this.#values.copy(this.#values, this.#length, from, from + to);
  }

  /** The next part of the text value `beginText` started. */
  appendBytes(bytes: Uint8Array): void {
    const length = bytes.length;
    this.reserve(length);
    const values = this.#values;
    let at = this.#length;
    if (length <= 32) {
      for (let i = 0; i < length; i++) values[at++] = bytes[i] as number;
    } else {
      values.set(bytes, at);
      at += length;
    }
    this.#length = at;
  }

  /** `"text"` as the next part (see ByteSink.appendQuotedAscii: one byte per character). */
  appendQuotedAscii(text: string): void {
    const length = text.length;
    this.reserve(length + 2);
    const values = this.#values;
    let at = this.#length;
    values[at++] = 0x22;
    if (length <= 64) {
      for (let i = 0; i < length; i++) values[at++] = text.charCodeAt(i);
    } else {
      at += values.write(text, at, length, "latin1");
    }
    values[at++] = 0x22;
    this.#length = at;
  }

  endText(): void {
    this.#values.writeUInt32LE(this.#length - this.#textStart - 4, this.#textStart);
    if (this.frontCoded) {
      this.#lastExpanded = this.textLength;
      this.#expanded += 4 + this.#lastExpanded;
    }
  }

  /** The last text value once more (pushText, or beginText … endText); nothing else may have been pushed since. */
  pushRepeated(): void {
    const start = this.#textStart;
    if (start < 0) throw new Error(`column ${this.spec.name}: no text value to repeat`);
    if (this.frontCoded) {
      this.level(1);
      this.reserve(8);
      this.#textStart = this.#length;
      this.#values.writeUInt32LE(4, this.#length);
      this.#values.writeUInt32LE(this.#lastExpanded, this.#length + 4);
      this.#length += 8;
      this.#expanded += 4 + this.#lastExpanded;
      return;
    }
    const size = this.#length - start;
    this.level(1);
    this.reserve(size);
    this.#values.copy(this.#values, this.#length, start, start + size);
    this.#textStart = this.#length;
    this.#length += size;
  }

  /**
   * `rows` values that are already PLAIN-encoded in `bytes[start..end]` (from another builder's `values()` of the
   * same kind), none NULL. Numbers update min/max.
   */
  appendPlain(bytes: Uint8Array, start: number, end: number, rows: number): void {
    if (this.#bits) throw new Error(`column ${this.spec.name} (${this.spec.kind}): booleans cannot be appended`);
    if (rows === 0) return;
    this.#textStart = -1;
    this.definedRows(rows);
    this.reserve(end - start);
    const at = this.#length;
    this.#values.set(bytes.subarray(start, end), at);
    this.#length = at + end - start;
    const read = NUMBER_READERS[this.spec.kind];
    if (!read) return;
    const values = this.#values;
    const view = alignedView(this.spec.kind, values, at, rows);
    if (view) {
      this.minMaxOf(view);
      return;
    }
    for (let offset = at; offset < this.#length; offset += read.size) {
      const value = read.read(values, offset);
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
  }

  /**
   * `rows` text values front-coded in `bytes[start..end]` (a front-coded builder's `values()`), none NULL, as PLAIN: the
   * bytes each shares with the value before are copied from that value, here. The first must share nothing, or only
   * with the last value written here.
   */
  appendFrontCoded(bytes: Buffer, start: number, end: number, rows: number): void {
    if (!this.#takesText || this.frontCoded) throw new Error(`column ${this.spec.name} (${this.spec.kind}) takes no front-coded text`);
    if (rows === 0) return;
    this.definedRows(rows);
    let previous = this.#textStart;
    for (let at = start; at < end; ) {
      const length = bytes.readUInt32LE(at);
      const shared = bytes.readUInt32LE(at + 4);
      const own = length - 4;
      if (shared > 0 && (previous < 0 || shared > this.#values.readUInt32LE(previous))) throw new Error(`column ${this.spec.name}: a front-coded value shares more than the value before holds`);
      this.reserve(4 + shared + own);
      const values = this.#values;
      const value = this.#length;
      values.writeUInt32LE(shared + own, value);
      // copyWithin, and a loop for the short own parts (a type pair, or nothing): Buffer#copy per part cost ~2x here.
      if (shared > 0) values.copyWithin(value + 4, previous + 4, previous + 4 + shared);
      let to = value + 4 + shared;
      if (own <= 32) for (let i = at + 8; i < at + 4 + length; i++) values[to++] = bytes[i] as number;
      else bytes.copy(values, to, at + 8, at + 4 + length);
      this.#length = value + 4 + shared + own;
      previous = value;
      at += 4 + length;
    }
    this.#textStart = previous;
  }

  /** Min/max of values read through a typed view (int64: low word unsigned, high word signed). */
  private minMaxOf(view: Float64Array | Int32Array | Uint32Array | { words: Int32Array }): void {
    let min = this.min;
    let max = this.max;
    if ("words" in view) {
      const words = view.words;
      for (let i = 0; i < words.length; i += 2) {
        const value = (words[i + 1] as number) * TWO_32 + ((words[i] as number) >>> 0);
        if (value < min) min = value;
        if (value > max) max = value;
      }
    } else {
      for (let i = 0; i < view.length; i++) {
        const value = view[i] as number;
        if (value < min) min = value;
        if (value > max) max = value;
      }
    }
    this.min = min;
    this.max = max;
  }

  /** The PLAIN-encoded values (booleans bit-packed). */
  values(): Buffer {
    if (!this.#bits) return this.#values.subarray(FRONT, this.#length);
    const packed = Buffer.alloc(Math.ceil(this.#bits.length / 8));
    this.#bits.forEach((bit, i) => {
      if (bit) packed[i >> 3] = (packed[i >> 3] as number) | (1 << (i & 7));
    });
    return packed;
  }

  /** A data page's content: `levels` (the encoded definition levels), then the values; without a copy when the levels fit in front. */
  page(levels: Buffer): Buffer {
    if (this.#bits || levels.length > FRONT) return Buffer.concat([levels, this.values()]);
    const start = FRONT - levels.length;
    levels.copy(this.#values, start);
    return this.#values.subarray(start, this.#length);
  }
}
