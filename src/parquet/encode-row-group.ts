import { ColumnBuilder, type ColumnSpec } from "./column-builder.ts";
import { MAX_RLE_RUN_BYTES, writeRleRun } from "./rle-hybrid.ts";
import { MAX_SHORT_TEXT, singleEntryIndices, textChunk } from "./text-chunk.ts";
import { CompactWriter } from "./thrift-compact.ts";

/*
 * One row group's column chunks made ready to write: each column's pages (definition levels, values; a dictionary
 * page for text whose values repeat) compressed with ZSTD, with their page headers and what the file's footer says of
 * them. The same on whichever thread it runs (ParquetWriter's own, or a table worker's: staging/table-worker.ts).
 */

export const PLAIN = 0;
export const RLE = 3;
export const RLE_DICTIONARY = 8;
const DICTIONARY_PAGE = 2;
const DATA_PAGE = 0;
const ZSTD_LEVEL = 1;
/**
 * Pages at least this large are compressed on Bun's thread pool, all of a row group's at once, while the next row
 * group is filled: the texts of transcripts (hundreds of MB) compress at ~370 MB/s per core. Smaller pages are
 * compressed here (a thread pool round trip costs more than they take).
 */
const POOL_PAGE_BYTES = 1 << 20;
/**
 * Their level: on the transcripts' texts (400 MB tree) level 3 compresses as fast as level 1 and 43% smaller
 * (logs.parquet 63 against 110 MB), and the export took 2.9 against 3.4–3.8 s, having less to write.
 */
const LARGE_PAGE_ZSTD_LEVEL = 3;

/** The one value a column has in every row: NULL, a number, or text as UTF-8 bytes. */
export type ConstantValue = null | number | Buffer;

/** Definition levels (bit width 1) as RLE runs (`runs`: level, count, level, count, …), with the 4-byte length prefix of a v1 data page. */
function definitionLevels(runs: readonly number[]): Buffer {
  const bytes = Buffer.allocUnsafe(4 + (runs.length / 2) * MAX_RLE_RUN_BYTES);
  let at = 4;
  for (let i = 0; i < runs.length; i += 2) at = writeRleRun(bytes, at, runs[i + 1] as number, runs[i] as number, 1);
  bytes.writeUInt32LE(at - 4, 0);
  return bytes.subarray(0, at);
}

/** A column chunk ready to compress: its data page (definition levels, then values), and its dictionary page if any. */
interface ChunkPages {
  data: Buffer;
  dictionary: { values: Buffer; entries: number } | null;
  minText: Buffer | null;
  maxText: Buffer | null;
}

/** The page of a column that has `value` in all `rows` rows, built in one go. */
function constantPage(spec: ColumnSpec, value: ConstantValue, rows: number): Buffer {
  if (value === null) return definitionLevels([0, rows]);
  const one = new ColumnBuilder(spec);
  if (typeof value === "number") one.pushNumber(value);
  else one.pushBytes(value);
  const pattern = one.values();
  const levels = definitionLevels([1, rows]);
  const page = Buffer.allocUnsafe(levels.length + pattern.length * rows);
  levels.copy(page, 0);
  page.fill(pattern, levels.length);
  return page;
}

/** The index of the largest data page of at least POOL_PAGE_BYTES, or -1. */
function largestPage(pages: readonly ChunkPages[]): number {
  let largest = -1;
  pages.forEach(({ data }, i) => {
    if (data.length >= POOL_PAGE_BYTES && (largest < 0 || data.length > (pages[largest] as ChunkPages).data.length)) largest = i;
  });
  return largest;
}

/** A column's pages: text dictionary-encoded when its values repeat, with its min/max (text-chunk.ts). */
function chunkPages(builder: ColumnBuilder, constant: ConstantValue | undefined, rows: number): ChunkPages {
  if (constant === undefined && !builder.takesText) return { data: builder.page(definitionLevels(builder.runs)), dictionary: null, minText: null, maxText: null };
  if (constant !== undefined && !Buffer.isBuffer(constant)) return { data: constantPage(builder.spec, constant, rows), dictionary: null, minText: null, maxText: null };
  if (Buffer.isBuffer(constant)) {
    // One entry, one run.
    const entry = Buffer.allocUnsafe(4 + constant.length);
    entry.writeUInt32LE(constant.length, 0);
    constant.copy(entry, 4);
    const short = constant.length <= MAX_SHORT_TEXT ? constant : null;
    return { data: Buffer.concat([definitionLevels([1, rows]), singleEntryIndices(rows)]), dictionary: { values: entry, entries: 1 }, minText: short, maxText: short };
  }
  const text = textChunk(builder.values(), builder.rows - builder.nulls, builder.spec.kind !== "JSON");
  const levels = definitionLevels(builder.runs);
  const data = text.indices ? Buffer.concat([levels, text.indices]) : builder.page(levels);
  return { data, dictionary: text.dictionary, minText: text.min, maxText: text.max };
}

/** A page compressed, with its header; `size`: its header's and uncompressed bytes, as the footer counts them. */
interface EncodedPage {
  header: Buffer;
  body: Buffer;
  size: number;
}

/** A column chunk ready to write: its dictionary page (if any), its data page, and its statistics. */
export interface EncodedChunk {
  dictionary: EncodedPage | null;
  data: EncodedPage;
  nulls: number;
  min: number;
  max: number;
  minText: Buffer | null;
  maxText: Buffer | null;
}

export interface EncodeOptions {
  /** Compress large pages on Bun's thread pool (see POOL_PAGE_BYTES); false: all on this thread. */
  threadPool: boolean;
  /** No row group follows: the thread has nothing to fill meanwhile, and compresses the largest page itself. */
  last: boolean;
}

/**
 * The column chunks of the row group of `rows` rows in `builders` (one per column; a column with a constant takes its
 * value in every row). The pages are compressed at once (see POOL_PAGE_BYTES). With `last`, the largest page is
 * compressed here rather than waiting for the pool to take it (the 400 MB usage export's logs, one row group: 16
 * against 24.5 ms).
 */
export async function encodeRowGroup(
  columns: readonly ColumnSpec[],
  constants: readonly (ConstantValue | undefined)[],
  builders: readonly ColumnBuilder[],
  rows: number,
  options: EncodeOptions,
): Promise<EncodedChunk[]> {
  builders.forEach((builder, i) => {
    const constant = constants[i];
    if (constant !== undefined) {
      builder.nulls = constant === null ? rows : 0;
      if (typeof constant === "number") builder.min = builder.max = constant;
    } else if (builder.rows !== rows) {
      throw new Error(`column ${builder.spec.name} has ${builder.rows} values in a row group of ${rows} rows`);
    }
    builder.rows = rows;
  });
  const pages = builders.map((builder, i) => chunkPages(builder, constants[i], rows));
  const here = options.last ? largestPage(pages) : -1;
  const compressed = pages.map(({ data }, i) =>
    data.length >= POOL_PAGE_BYTES && options.threadPool && i !== here ? Bun.zstdCompress(data, { level: LARGE_PAGE_ZSTD_LEVEL }) : null,
  );
  const bodies = await Promise.all(
    pages.map(({ data }, i) => compressed[i] ?? Bun.zstdCompressSync(data, { level: data.length < POOL_PAGE_BYTES ? ZSTD_LEVEL : LARGE_PAGE_ZSTD_LEVEL })),
  );
  return columns.map((_, i) => {
    const builder = builders[i] as ColumnBuilder;
    const { data, dictionary, minText, maxText } = pages[i] as ChunkPages;
    const body = bodies[i] as Buffer;
    const header = CompactWriter.struct((writer) =>
      writer
        .i32(1, DATA_PAGE)
        .i32(2, data.length)
        .i32(3, body.length)
        .struct(5, (page) => page.i32(1, rows).i32(2, dictionary ? RLE_DICTIONARY : PLAIN).i32(3, RLE).i32(4, RLE)),
    );
    return {
      dictionary: dictionary ? dictionaryPage(dictionary) : null,
      data: { header, body, size: header.length + data.length },
      nulls: builder.nulls,
      min: builder.min,
      max: builder.max,
      minText,
      maxText,
    };
  });
}

function dictionaryPage(dictionary: { values: Buffer; entries: number }): EncodedPage {
  const body = Bun.zstdCompressSync(dictionary.values, { level: ZSTD_LEVEL });
  const header = CompactWriter.struct((writer) =>
    writer
      .i32(1, DICTIONARY_PAGE)
      .i32(2, dictionary.values.length)
      .i32(3, body.length)
      .struct(7, (page) => page.i32(1, dictionary.entries).i32(2, PLAIN)),
  );
  return { header, body, size: header.length + dictionary.values.length };
}
