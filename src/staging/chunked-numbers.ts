const CHUNK_BITS = 16;
const CHUNK_ROWS = 1 << CHUNK_BITS;
const IN_CHUNK = CHUNK_ROWS - 1;

type NumberArray = Float64Array | Int32Array | Uint16Array | Uint8Array;

/**
 * A column of numbers by row, in typed arrays of CHUNK_ROWS rows: it grows without copying and holds at most one
 * chunk more than its rows. An array doubled as it grew held up to twice its rows, and both copies while it grew: the
 * chosen events of 1 GB of Gemini sessions with transcripts (1.3 million) took 272 MB so (docs/performance.md
 * [S13]).
 */
export class ChunkedNumbers {
  readonly #chunks: NumberArray[] = [];

  constructor(private readonly make: (length: number) => NumberArray) {}

  get(row: number): number {
    return (this.#chunks[row >>> CHUNK_BITS] as NumberArray)[row & IN_CHUNK] as number;
  }

  set(row: number, value: number): void {
    (this.#chunks[row >>> CHUNK_BITS] as NumberArray)[row & IN_CHUNK] = value;
  }

  /** Makes room for rows `0 .. size - 1`. */
  reserve(size: number): void {
    while (this.#chunks.length * CHUNK_ROWS < size) this.#chunks.push(this.make(CHUNK_ROWS));
  }
}

export const float64s = (): ChunkedNumbers => new ChunkedNumbers((length) => new Float64Array(length));
export const int32s = (): ChunkedNumbers => new ChunkedNumbers((length) => new Int32Array(length));
export const uint16s = (): ChunkedNumbers => new ChunkedNumbers((length) => new Uint16Array(length));
export const uint8s = (): ChunkedNumbers => new ChunkedNumbers((length) => new Uint8Array(length));
