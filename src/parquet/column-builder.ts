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
/** Room before the values for the page's definition levels (a column without NULLs needs 6 bytes). */
const FRONT = 64;

/**
 * The values of one column in one row group, PLAIN-encoded as they arrive, with the
 * definition levels (null or not) kept as runs. Numbers must be integers for the integer
 * kinds (TIMESTAMP: microseconds since 1970, naive UTC).
 */
export class ColumnBuilder {
  #values = Buffer.allocUnsafe(1 << 14);
  #length = FRONT;
  /** Definition-level runs: [level, count, level, count, …]. */
  readonly runs: number[] = [];
  #bits: number[] | null;
  nulls = 0;
  rows = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(readonly spec: ColumnSpec) {
    this.#bits = spec.kind === "BOOLEAN" ? [] : null;
  }

  get bytes(): number {
    return this.#length - FRONT;
  }

  #level(defined: 0 | 1): void {
    this.rows++;
    const last = this.runs.length - 2;
    if (last >= 0 && this.runs[last] === defined) (this.runs[last + 1] as number)++;
    else this.runs.push(defined, 1);
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#values.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#values.length * 2, this.#length + bytes));
    this.#values.copy(grown, 0, 0, this.#length);
    this.#values = grown;
  }

  pushNull(): void {
    this.nulls++;
    this.#level(0);
  }

  pushNumber(value: number): void {
    this.#level(1);
    if (!Number.isNaN(value)) {
      if (value < this.min) this.min = value;
      if (value > this.max) this.max = value;
    }
    switch (this.spec.kind) {
      case "TIMESTAMP":
      case "BIGINT":
      case "UBIGINT": {
        this.#reserve(8);
        this.#length = writeInt64LE(this.#values, value, this.#length);
        return;
      }
      case "INTEGER":
        this.#reserve(4);
        this.#length = this.#values.writeInt32LE(value, this.#length);
        return;
      case "UINTEGER":
        this.#reserve(4);
        this.#length = this.#values.writeUInt32LE(value, this.#length);
        return;
      case "DOUBLE":
        this.#reserve(8);
        this.#length = this.#values.writeDoubleLE(value, this.#length);
        return;
      default:
        throw new Error(`column ${this.spec.name} (${this.spec.kind}) takes no numbers`);
    }
  }

  pushBoolean(value: boolean): void {
    if (!this.#bits) throw new Error(`column ${this.spec.name} (${this.spec.kind}) takes no booleans`);
    this.#level(1);
    this.#bits.push(value ? 1 : 0);
  }

  /** A string value as UTF-8 bytes: `bytes[start..end]`. */
  pushBytes(bytes: Buffer, start = 0, end = bytes.length): void {
    if (this.spec.kind !== "VARCHAR" && this.spec.kind !== "JSON") throw new Error(`column ${this.spec.name} (${this.spec.kind}) takes no text`);
    this.#level(1);
    const length = end - start;
    this.#reserve(4 + length);
    const values = this.#values;
    let at = this.#length;
    values[at++] = length & 0xff;
    values[at++] = (length >>> 8) & 0xff;
    values[at++] = (length >>> 16) & 0xff;
    values[at++] = length >>> 24;
    if (length <= 8) {
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
