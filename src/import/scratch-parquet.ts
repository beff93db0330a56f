import type { ColumnSpec } from "../parquet/column-builder.ts";
import { ParquetWriter } from "../parquet/parquet-writer.ts";

/**
 * Small row groups: each leaves its columns' buffers and compressed pages to be collected, and writing 613,703 events
 * in groups of 122,880 rows grew the process by 140-160 MB, in groups of 16,384 by ~70 MB, in the same time.
 */
const SCRATCH_ROW_GROUP = { rows: 16_384, bytes: 16 << 20 };

/**
 * Writes the Parquet file `path` of `columns` for DuckDB to read (an import's bookkeeping rows, the keys it looks up),
 * `fill` pushing its rows and awaiting each flush that `endRow` starts; on a failure the file is abandoned. Returns
 * the number of rows.
 */
export async function writeScratchRows(path: string, columns: readonly ColumnSpec[], fill: (writer: ParquetWriter) => Promise<void>): Promise<number> {
  const writer = new ParquetWriter(path, columns, [], SCRATCH_ROW_GROUP);
  try {
    await fill(writer);
    return await writer.close();
  } catch (error) {
    writer.abandon();
    throw error;
  }
}
