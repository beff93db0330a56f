
/*
 * Parquet's RLE/bit-packing hybrid (https://parquet.apache.org/docs/file-format/data-pages/encodings/), the
 * encoding of definition levels and of dictionary indices.
 */

/** The most bytes `writeRleRun` writes: a 10-byte varint header and a value of up to 4 bytes. */
export const MAX_RLE_RUN_BYTES = 14;

/** One RLE run into `out` at `at`: `count << 1` as an unsigned LEB128 varint, then `value` in `width` bytes; returns the end. */
export function writeRleRun(out: Buffer, at: number, count: number, value: number, width: number): number {
  for (let header = count * 2; ; header = Math.floor(header / 0x80)) {
    if (header < 0x80) {
      out[at++] = header;
      break;
    }
    out[at++] = (header % 0x80) | 0x80;
  }
  for (let b = 0; b < width; b++) out[at++] = (value >>> (8 * b)) & 0xff;
  return at;
}

/** `values` as RLE runs, each value in whole bytes of `bitWidth` bits. */
export function rleRuns(values: Uint32Array, bitWidth: number): Buffer {
  const width = Math.ceil(bitWidth / 8);
  const out = Buffer.allocUnsafe(values.length * (10 + width));
  let at = 0;
  for (let i = 0; i < values.length; ) {
    const value = values[i] as number;
    let run = 1;
    while (i + run < values.length && values[i + run] === value) run++;
    i += run;
    at = writeRleRun(out, at, run, value, width);
  }
  return out.subarray(0, at);
}

const MAX_GROUPS = 63;

/** `values` bit-packed, 8 to a group of `bitWidth` bytes, at most 63 groups to a run (a one-byte header, as parquet-mr writes them), the last group padded with zeros. */
export function bitPacked(values: Uint32Array, bitWidth: number): Buffer {
  const groups = Math.ceil(values.length / 8);
  const out = Buffer.alloc(Math.ceil(groups / MAX_GROUPS) + groups * bitWidth);
  let at = 0;
  for (let group = 0; group < groups; group += MAX_GROUPS) {
    const count = Math.min(MAX_GROUPS, groups - group);
    out[at++] = (count << 1) | 1;
    // Values from the least significant bit of each byte on.
    let bit = 0;
    const end = Math.min(values.length, (group + count) * 8);
    for (let i = group * 8; i < end; i++) {
      const value = values[i] as number;
      for (let b = 0; b < bitWidth; b++, bit++) if ((value >>> b) & 1) out[at + (bit >>> 3)] = (out[at + (bit >>> 3)] as number) | (1 << (bit & 7));
    }
    at += count * bitWidth;
  }
  return out.subarray(0, at);
}
