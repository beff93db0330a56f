import { bitPacked, MAX_RLE_RUN_BYTES, rleRuns, writeRleRun } from "./rle-hybrid.ts";

/*
 * A text column chunk as DuckDB's own COPY writes one: dictionary-encoded when it has few distinct values (service
 * and metric names, severities, units), with min/max statistics when they are short. An archive made from session
 * files is then filtered as fast as one exported from a database (issue 17). Format:
 * https://parquet.apache.org/docs/file-format/data-pages/encodings/ (RLE_DICTIONARY, the RLE/bit-packing hybrid).
 */

/** Longer values make no dictionary entry (the chunk stays PLAIN) and no statistic. */
export const MAX_SHORT_TEXT = 256;
/** A dictionary of more entries, or of more bytes, is not made. */
const MAX_ENTRIES = 4096;
const MAX_DICTIONARY_BYTES = 1 << 20;

export interface TextChunk {
  /** The dictionary page's content (the distinct values, PLAIN, in first-seen order) and its entries; null: PLAIN. */
  dictionary: { values: Buffer; entries: number } | null;
  /** With a dictionary: the data page's values (see `dictionaryIndices`). */
  indices: Buffer | null;
  /** The least and greatest value (unsigned byte order, as Parquet's type-defined order has it), when both are short. */
  min: Buffer | null;
  max: Buffer | null;
}

/** Up to this many entries, a value is looked up by comparing bytes (no string made per value). */
const FEW_ENTRIES = 16;
/**
 * A dictionary is given up when, of the first this many values, more than three in four were new (ids), or for a JSON
 * column more than one in four: the metric attributes come in pairs (a response's token type, once per metric name),
 * about 8,000 entries a row group, past MAX_ENTRIES; looked up to there, they cost the 400 MB usage export ~8 ms of
 * hashing per run for nothing. DuckDB's COPY writes such a column PLAIN too.
 */
const EARLY_LOOK = 1024;

/**
 * Looks at the `count` PLAIN values (4-byte length, bytes) in `values`. `statistics`: find min and max (not for JSON
 * columns, which no filter prunes by: a byte comparison per value costs more than the rest of the look; see EARLY_LOOK).
 */
export function textChunk(values: Buffer, count: number, statistics = true): TextChunk {
  let minStart = -1;
  let minEnd = -1;
  let maxStart = -1;
  let maxEnd = -1;
  /** Where each entry's bytes are in `values` (its first value), in entry order. */
  const starts: number[] = [];
  const ends: number[] = [];
  /** Past the few: each entry by its bytes' hash (the first entry of that hash; `sameHash` chains the others). */
  let entries: Map<number, number> | null = new Map();
  const sameHash: number[] = [];
  let dictionaryBytes = 0;
  const indices = new Uint32Array(count);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const length = ((values[at] as number) | ((values[at + 1] as number) << 8) | ((values[at + 2] as number) << 16)) + (values[at + 3] as number) * 0x1000000;
    const start = at + 4;
    const end = start + length;
    at = end;
    if (entries !== null) {
      if (length > MAX_SHORT_TEXT || (i === EARLY_LOOK && starts.length * 4 > EARLY_LOOK * (statistics ? 3 : 1))) {
        entries = null;
      } else {
        let index = -1;
        /** The value's hash, once it is looked up in or goes into the map. */
        let hash = 0;
        if (starts.length <= FEW_ENTRIES) {
          for (let e = 0; e < starts.length; e++) {
            const entryStart = starts[e] as number;
            if ((ends[e] as number) - entryStart === length && sameBytes(values, entryStart, start, length)) {
              index = e;
              break;
            }
          }
          // Past the few, the entries go into the map once.
          if (index < 0 && starts.length === FEW_ENTRIES) {
            for (let e = 0; e < starts.length; e++) addEntry(entries, sameHash, bytesHash(values, starts[e] as number, ends[e] as number), e);
            hash = bytesHash(values, start, end);
          }
        } else {
          hash = bytesHash(values, start, end);
          index = findEntry(entries, sameHash, hash, starts, ends, values, start, end);
        }
        if (index >= 0) {
          indices[i] = index;
          continue; // a value seen before: min and max are unchanged
        }
        index = starts.length;
        dictionaryBytes += 4 + length;
        if (index >= MAX_ENTRIES || dictionaryBytes > MAX_DICTIONARY_BYTES) {
          entries = null;
        } else {
          starts.push(start);
          ends.push(end);
          if (index >= FEW_ENTRIES) addEntry(entries, sameHash, hash, index);
          indices[i] = index;
        }
      }
    }
    if (!statistics) {
      if (entries === null) break; // no dictionary and no statistics: nothing more to find
      continue;
    }
    if (minStart < 0 || values.compare(values, minStart, minEnd, start, end) < 0) {
      minStart = start;
      minEnd = end;
    }
    if (maxStart < 0 || values.compare(values, maxStart, maxEnd, start, end) > 0) {
      maxStart = start;
      maxEnd = end;
    }
  }
  const short = minStart >= 0 && minEnd - minStart <= MAX_SHORT_TEXT && maxEnd - maxStart <= MAX_SHORT_TEXT;
  const min = short ? Buffer.from(values.subarray(minStart, minEnd)) : null;
  const max = short ? Buffer.from(values.subarray(maxStart, maxEnd)) : null;
  // A dictionary pays when values repeat: at most one distinct value in two.
  if (entries === null || count === 0 || starts.length * 2 > count) return { dictionary: null, indices: null, min, max };
  const dictionary = Buffer.allocUnsafe(dictionaryBytes);
  let written = 0;
  for (let e = 0; e < starts.length; e++) {
    const length = (ends[e] as number) - (starts[e] as number);
    written = dictionary.writeUInt32LE(length, written);
    written += values.copy(dictionary, written, starts[e], ends[e]);
  }
  return { dictionary: { values: dictionary, entries: starts.length }, indices: dictionaryIndices(indices, starts.length), min, max };
}

/**
 * FNV-1a of `values[start..end]`: entries are found by it rather than by a string made of each value (the metric
 * attributes' look for a dictionary made ~1,000 strings per row group: ~1,000 page faults in the 400 MB usage export).
 */
export function bytesHash(values: Buffer, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (values[i] as number), 0x01000193);
  return hash;
}

/** Entry `index`, whose bytes hash to `hash`, into the map (chained behind an entry of the same hash). */
function addEntry(entries: Map<number, number>, sameHash: number[], hash: number, index: number): void {
  sameHash[index] = entries.get(hash) ?? -1;
  entries.set(hash, index);
}

/** The entry holding `values[start..end]`, whose bytes hash to `hash`, or -1. */
export function findEntry(entries: Map<number, number>, sameHash: readonly number[], hash: number, starts: readonly number[], ends: readonly number[], values: Buffer, start: number, end: number): number {
  const length = end - start;
  for (let e = entries.get(hash) ?? -1; e >= 0; e = sameHash[e] as number) {
    const entryStart = starts[e] as number;
    if ((ends[e] as number) - entryStart === length && sameBytes(values, entryStart, start, length)) return e;
  }
  return -1;
}

/** Whether `values` holds the same `length` bytes at `a` and at `b`: a loop, cheaper than a native call for short values. */
export function sameBytes(values: Buffer, a: number, b: number, length: number): boolean {
  for (let i = length - 1; i >= 0; i--) if (values[a + i] !== values[b + i]) return false;
  return true;
}

/**
 * The data page values of dictionary indices: the bit width, then the RLE/bit-packing hybrid. Values that stay the
 * same for 8 rows or more on average (a service, a severity) go as RLE runs; others (metric names taking turns)
 * bit-packed.
 */
export function dictionaryIndices(indices: Uint32Array, entries: number): Buffer {
  const bitWidth = Math.max(1, Math.ceil(Math.log2(entries)));
  let runs = 0;
  for (let i = 0; i < indices.length; i++) if (i === 0 || indices[i] !== indices[i - 1]) runs++;
  return Buffer.concat([Buffer.of(bitWidth), indices.length >= 8 * runs ? rleRuns(indices, bitWidth) : bitPacked(indices, bitWidth)]);
}

/** The data page values of `rows` rows that all take a one-entry dictionary's entry: bit width 1, one run of index 0. */
export function singleEntryIndices(rows: number): Buffer {
  const out = Buffer.allocUnsafe(1 + MAX_RLE_RUN_BYTES);
  out[0] = 1;
  return out.subarray(0, writeRleRun(out, 1, rows, 0, 1));
}
