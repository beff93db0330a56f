import { closeSync, openSync } from "node:fs";
import { writeAllSync } from "../shared/write-all.ts";
import { versionInfo } from "../shared/version.ts";
import { ColumnBuilder, type ColumnKind, type ColumnSpec, writeInt64LE } from "./column-builder.ts";
import { type ConstantValue, type EncodedChunk, encodeRowGroup, PLAIN, RLE, RLE_DICTIONARY } from "./encode-row-group.ts";
import { CompactWriter } from "./thrift-compact.ts";

/**
 * A Parquet file writer for flat tables of nullable columns, with the physical and logical types
 * DuckDB gives its own COPY … (FORMAT PARQUET) output, so that DuckDB (and any Parquet reader)
 * reads back the same column types: every column OPTIONAL, RLE definition levels, one ZSTD data page
 * per column chunk; text with few distinct values dictionary-encoded (a dictionary page before it), other values
 * PLAIN; min/max statistics for numbers and for short VARCHAR values (text-chunk.ts).
 * Format: https://parquet.apache.org/docs/file-format/ and parquet.thrift.
 */

const MAGIC = Buffer.from("PAR1");

/**
 * Headers and small pages are gathered into one write of up to this many bytes: a row group is a header and a page or
 * two per column, and written one by one they took ~370 system calls for the 400 MB usage export's 630 KB of metrics.
 */
const OUTPUT_BUFFER_BYTES = 64 << 10;

const enum PhysicalType {
  Boolean = 0,
  Int32 = 1,
  Int64 = 2,
  Double = 5,
  ByteArray = 6,
}

const enum ConvertedType {
  Utf8 = 0,
  TimestampMicros = 10,
  Uint32 = 13,
  Uint64 = 14,
  Int32 = 17,
  Int64 = 18,
  Json = 19,
}

const ZSTD = 6;

interface TypeInfo {
  physical: PhysicalType;
  converted?: ConvertedType;
  /** The LogicalType union member, written into SchemaElement field 10. */
  logical?: (writer: CompactWriter) => void;
  /** Statistics bytes of a number, for kinds that have min/max. */
  statistic?: (value: number) => Buffer;
}

/** A statistic of `size` bytes, filled by `write`. */
const statisticBytes = (size: number, write: (bytes: Buffer, value: number) => void) => (value: number) => {
  const bytes = Buffer.alloc(size);
  write(bytes, value);
  return bytes;
};
const int64Bytes = statisticBytes(8, (bytes, value) => writeInt64LE(bytes, value, 0));
const intType = (bits: number, signed: boolean) => (writer: CompactWriter) => writer.struct(10, (int) => int.i8(1, bits).bool(2, signed));

const TYPES: Record<ColumnKind, TypeInfo> = {
  TIMESTAMP: {
    physical: PhysicalType.Int64,
    converted: ConvertedType.TimestampMicros,
    logical: (writer) => writer.struct(8, (ts) => ts.bool(1, false).struct(2, (unit) => unit.struct(2, () => {}))),
    statistic: int64Bytes,
  },
  VARCHAR: { physical: PhysicalType.ByteArray, converted: ConvertedType.Utf8, logical: (writer) => writer.struct(1, () => {}) },
  JSON: { physical: PhysicalType.ByteArray, converted: ConvertedType.Json, logical: (writer) => writer.struct(12, () => {}) },
  INTEGER: {
    physical: PhysicalType.Int32,
    converted: ConvertedType.Int32,
    logical: intType(32, true),
    statistic: statisticBytes(4, (bytes, value) => bytes.writeInt32LE(value)),
  },
  UINTEGER: {
    physical: PhysicalType.Int32,
    converted: ConvertedType.Uint32,
    logical: intType(32, false),
    statistic: statisticBytes(4, (bytes, value) => bytes.writeUInt32LE(value)),
  },
  BIGINT: { physical: PhysicalType.Int64, converted: ConvertedType.Int64, logical: intType(64, true), statistic: int64Bytes },
  UBIGINT: { physical: PhysicalType.Int64, converted: ConvertedType.Uint64, logical: intType(64, false), statistic: int64Bytes },
  DOUBLE: {
    physical: PhysicalType.Double,
    statistic: statisticBytes(8, (bytes, value) => bytes.writeDoubleLE(value)),
  },
  BOOLEAN: { physical: PhysicalType.Boolean },
};

interface ChunkMeta {
  spec: ColumnSpec;
  /** Where the chunk starts: its dictionary page, if any, else its data page. */
  offset: number;
  dataOffset: number;
  /** -1: no dictionary page. */
  dictionaryOffset: number;
  uncompressed: number;
  compressed: number;
  rows: number;
  nulls: number;
  min: number;
  max: number;
  /** Text statistics (see textChunk), or null. */
  minText: Buffer | null;
  maxText: Buffer | null;
}

interface RowGroupMeta {
  rows: number;
  chunks: ChunkMeta[];
}

export class ParquetWriter {
  readonly #fd: number;
  /** Bytes written, those still in `#output` included. */
  #offset = 0;
  readonly #output = Buffer.allocUnsafe(OUTPUT_BUFFER_BYTES);
  #outputLength = 0;
  readonly #groups: RowGroupMeta[] = [];
  #builders: ColumnBuilder[];
  /** The builders of the row group written last, emptied for the next but one (fresh memory costs a page fault per 4 KB). */
  #spare: ColumnBuilder[] | null = null;
  #closed = false;
  /** The row group being compressed and written (one at a time, in order); its failure is thrown by the next flush or close. */
  #writing: Promise<void> = Promise.resolve();

  #rows = 0;

  constructor(
    readonly path: string,
    readonly columns: readonly ColumnSpec[],
    /**
     * Per column, its value in every row, or undefined: the column takes a value per row. Constant
     * columns cost nothing per row (their builders in `row` stay unused).
     */
    readonly constants: readonly (ConstantValue | undefined)[] = [],
    /** A row group is written once it holds this many rows or its values this many bytes. */
    readonly limits: { rows: number; bytes: number } = { rows: 122_880, bytes: 16 << 20 },
    /** Per column, how many bytes of values to make room for at once (when known: saves growing the buffer). */
    readonly capacities: readonly (number | undefined)[] = [],
    /** Compress large pages on Bun's thread pool (see POOL_PAGE_BYTES); false: all on this thread. */
    readonly threadPool = true,
  ) {
    if (constants.length > 0 && constants.length !== columns.length) throw new Error("one constant (or undefined) per column");
    this.#fd = openSync(path, "w");
    this.#builders = this.fresh();
    this.writeBytes(MAGIC);
  }

  private fresh(): ColumnBuilder[] {
    return this.columns.map((spec, i) => new ColumnBuilder(spec, this.capacities[i]));
  }

  /** The columns of the row being added; call `endRow` once each has its value. */
  get row(): readonly ColumnBuilder[] {
    return this.#builders;
  }

  /** Rows in the current, unwritten row group. */
  get pendingRows(): number {
    return this.#rows;
  }

  /** A promise only when the row completed a row group, which is then written: await it before the next row. */
  endRow(): Promise<void> | undefined {
    const rows = ++this.#rows;
    if (rows >= this.limits.rows || this.#builders.some((builder) => builder.bytes >= this.limits.bytes)) return this.#flush();
    return undefined;
  }

  /** `count` rows the columns took at once, in a row group whose end the caller decides (`endRowGroup`). */
  addRows(count: number): void {
    this.#rows += count;
  }

  /** Ends the row group being filled: it is written (resolves as `endRow`'s promise does), and the next one begins. */
  endRowGroup(): Promise<void> {
    return this.#flush();
  }

  private writeBytes(bytes: Uint8Array): void {
    if (this.#closed) throw new Error("the Parquet writer is closed");
    this.#offset += bytes.length;
    if (this.#outputLength + bytes.length <= OUTPUT_BUFFER_BYTES) {
      this.#output.set(bytes, this.#outputLength);
      this.#outputLength += bytes.length;
      return;
    }
    this.writeOutput();
    if (bytes.length > OUTPUT_BUFFER_BYTES / 2) writeAllSync(this.#fd, bytes);
    else {
      this.#output.set(bytes, 0);
      this.#outputLength = bytes.length;
    }
  }

  /** Writes out what `writeBytes` gathered. */
  private writeOutput(): void {
    if (this.#outputLength === 0) return;
    writeAllSync(this.#fd, this.#output.subarray(0, this.#outputLength));
    this.#outputLength = 0;
  }

  /**
   * Resolves once the row group before is written and this one's writing has begun. `last`: no row follows (close),
   * so no builders are made for a next row group.
   */
  async #flush(last = false): Promise<void> {
    await this.#writing;
    const builders = this.#builders;
    const rows = this.pendingRows;
    if (rows === 0) return;
    this.#builders = this.#spare ?? (last ? [] : this.fresh());
    this.#spare = null;
    this.#rows = 0;
    this.#writing = this.#writeRowGroup(builders, rows, last).then(() => {
      for (const builder of builders) builder.reset();
      this.#spare = builders;
    });
    this.#writing.catch(() => undefined); // seen by the next flush or close, not as an unhandled rejection
  }

  /** Encodes the row group, then writes it; the builders are kept for the next but one row group. */
  async #writeRowGroup(builders: readonly ColumnBuilder[], rows: number, last: boolean): Promise<void> {
    const encoded = await encodeRowGroup(this.columns, this.constants, builders, rows, { threadPool: this.threadPool, last });
    // Abandoned meanwhile (the caller failed): its descriptor is closed, and its number may already be another file's.
    if (this.#closed) return;
    this.writeChunks(rows, encoded);
  }

  /**
   * Writes a row group of `rows` rows encoded elsewhere (encodeRowGroup, e.g. on a worker), after those written so
   * far, once a row group ended here (`endRowGroup`) is written too; nothing may be pending in `row`.
   */
  async writeEncoded(rows: number, encoded: readonly EncodedChunk[]): Promise<void> {
    if (this.#rows !== 0) throw new Error("a row group is being filled");
    await this.#writing;
    if (encoded.length !== this.columns.length) throw new Error(`a row group of ${encoded.length} columns, not ${this.columns.length}`);
    this.writeChunks(rows, encoded);
  }

  private writeChunks(rows: number, encoded: readonly EncodedChunk[]): void {
    const chunks = encoded.map((chunk, i): ChunkMeta => {
      const offset = this.#offset;
      let uncompressed = 0;
      let compressed = 0;
      const dictionaryOffset = chunk.dictionary ? offset : -1;
      const dataOffset = chunk.dictionary ? offset + chunk.dictionary.header.length + chunk.dictionary.body.length : offset;
      for (const page of chunk.dictionary ? [chunk.dictionary, chunk.data] : [chunk.data]) {
        this.writeBytes(page.header);
        this.writeBytes(page.body);
        uncompressed += page.size;
        compressed += page.header.length + page.body.length;
      }
      const { nulls, min, max, minText, maxText } = chunk;
      return { spec: this.columns[i] as ColumnSpec, offset, dataOffset, dictionaryOffset, uncompressed, compressed, rows, nulls, min, max, minText, maxText };
    });
    this.writeOutput();
    this.#groups.push({ rows, chunks });
  }

  /** Writes what is pending and the footer, and closes the file. */
  async close(): Promise<number> {
    if (this.#closed) throw new Error("the Parquet writer is closed");
    try {
      await this.#flush(true);
      await this.#writing;
      const footer = this.footer();
      const length = Buffer.alloc(4);
      length.writeUInt32LE(footer.length, 0);
      this.writeBytes(footer);
      this.writeBytes(length);
      this.writeBytes(MAGIC);
      this.writeOutput();
    } finally {
      this.#closed = true;
      closeSync(this.#fd);
    }
    return this.#groups.reduce((sum, group) => sum + group.rows, 0);
  }

  /** Closes the file without a footer (after a failure; the caller removes it). */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }

  private footer(): Buffer {
    const rows = this.#groups.reduce((sum, group) => sum + group.rows, 0);
    return CompactWriter.struct((writer) => {
      writer.i32(1, 1);
      writer.list(2, "struct", [null, ...this.columns], (element, spec) => {
        if (spec === null) {
          element.binary(4, "schema").i32(5, this.columns.length);
          return;
        }
        const type = TYPES[spec.kind];
        element.i32(1, type.physical).i32(3, 1).binary(4, spec.name);
        if (type.converted !== undefined) element.i32(6, type.converted);
        if (type.logical) element.struct(10, type.logical);
      });
      writer.i64(3, rows);
      writer.list(4, "struct", this.#groups, (group, meta) => {
        group.list(1, "struct", meta.chunks, (chunk, column) => {
          chunk.i64(2, column.offset).struct(3, (data) => this.columnMeta(data, column));
        });
        const size = meta.chunks.reduce((sum, chunk) => sum + chunk.uncompressed, 0);
        group.i64(2, size).i64(3, meta.rows);
        group.i64(5, meta.chunks[0]?.offset ?? 0).i64(6, meta.chunks.reduce((sum, chunk) => sum + chunk.compressed, 0));
      });
      writer.binary(6, `ai-observer version ${versionInfo().version}`);
      writer.list(7, "struct", this.columns, (order) => order.struct(1, () => {}));
    });
  }

  private columnMeta(writer: CompactWriter, column: ChunkMeta): void {
    const type = TYPES[column.spec.kind];
    writer
      .i32(1, type.physical)
      .list(2, "i32", column.dictionaryOffset >= 0 ? [PLAIN, RLE, RLE_DICTIONARY] : [PLAIN, RLE], (list, encoding) => list.i32Element(encoding))
      .list(3, "binary", [column.spec.name], (list, name) => list.binaryElement(name))
      .i32(4, ZSTD)
      .i64(5, column.rows)
      .i64(6, column.uncompressed)
      .i64(7, column.compressed)
      .i64(9, column.dataOffset);
    if (column.dictionaryOffset >= 0) writer.i64(11, column.dictionaryOffset);
    writer.struct(12, (stats) => {
      stats.i64(3, column.nulls);
      if (column.nulls >= column.rows) return;
      if (column.minText && column.maxText) stats.binary(5, column.maxText).binary(6, column.minText);
      else if (type.statistic && column.min <= column.max) stats.binary(5, type.statistic(column.max)).binary(6, type.statistic(column.min));
    });
  }
}
