/**
 * Thrift's compact protocol, write side only, for Parquet's page headers and footer
 * (https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md).
 */

const enum CompactType {
  True = 1,
  False = 2,
  Byte = 3,
  I32 = 5,
  I64 = 6,
  Binary = 8,
  List = 9,
  Struct = 12,
}

export type ListElement = "i32" | "binary" | "struct";

const ELEMENT_TYPES: Record<ListElement, CompactType> = { i32: CompactType.I32, binary: CompactType.Binary, struct: CompactType.Struct };

export class CompactWriter {
  #buffer = Buffer.allocUnsafe(1024);
  #length = 0;
  #lastField: number[] = [0];

  get length(): number {
    return this.#length;
  }

  /** The bytes written so far (a copy). */
  toBuffer(): Buffer {
    return Buffer.from(this.#buffer.subarray(0, this.#length));
  }

  private reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }

  private byte(value: number): void {
    this.reserve(1);
    this.#buffer[this.#length++] = value;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53. */
  private varint(value: number): void {
    this.reserve(10);
    while (value >= 0x80) {
      this.#buffer[this.#length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.#buffer[this.#length++] = value;
  }

  /** Zigzag, then varint: any integer of magnitude below 2^52. */
  private zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  private fieldHeader(id: number, type: CompactType): void {
    const last = this.#lastField[this.#lastField.length - 1] as number;
    const delta = id - last;
    if (delta > 0 && delta <= 15) {
      this.byte((delta << 4) | type);
    } else {
      this.byte(type);
      this.zigzag(id);
    }
    this.#lastField[this.#lastField.length - 1] = id;
  }

  private binaryBytes(value: Uint8Array | string): void {
    const bytes = typeof value === "string" ? Buffer.from(value) : value;
    this.varint(bytes.length);
    this.reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  i8(id: number, value: number): this {
    this.fieldHeader(id, CompactType.Byte);
    this.byte(value & 0xff);
    return this;
  }

  i32(id: number, value: number): this {
    this.fieldHeader(id, CompactType.I32);
    this.zigzag(value);
    return this;
  }

  /** An i64 field; `value` must be an integer of magnitude below 2^52 (Parquet sizes, offsets and counts are). */
  i64(id: number, value: number): this {
    this.fieldHeader(id, CompactType.I64);
    this.zigzag(value);
    return this;
  }

  bool(id: number, value: boolean): this {
    this.fieldHeader(id, value ? CompactType.True : CompactType.False);
    return this;
  }

  binary(id: number, value: Uint8Array | string): this {
    this.fieldHeader(id, CompactType.Binary);
    this.binaryBytes(value);
    return this;
  }

  /** A struct field whose fields `write` adds. */
  struct(id: number, write: (writer: this) => void): this {
    this.fieldHeader(id, CompactType.Struct);
    this.structBody(write);
    return this;
  }

  list<T>(id: number, element: ListElement, items: readonly T[], write: (writer: this, item: T) => void): this {
    this.fieldHeader(id, CompactType.List);
    const type = ELEMENT_TYPES[element];
    if (items.length < 15) this.byte((items.length << 4) | type);
    else {
      this.byte(0xf0 | type);
      this.varint(items.length);
    }
    for (const item of items) {
      if (element === "struct") this.structBody((writer) => write(writer, item));
      else write(this, item);
    }
    return this;
  }

  /** A list element (see `list`). */
  i32Element(value: number): void {
    this.zigzag(value);
  }

  binaryElement(value: Uint8Array | string): void {
    this.binaryBytes(value);
  }

  private structBody(write: (writer: this) => void): void {
    this.#lastField.push(0);
    write(this);
    this.byte(0); // stop
    this.#lastField.pop();
  }

  /** Writes a top-level struct (a page header, the file footer). */
  static struct(write: (writer: CompactWriter) => void): Buffer {
    const writer = new CompactWriter();
    write(writer);
    writer.byte(0);
    return writer.toBuffer();
  }
}
