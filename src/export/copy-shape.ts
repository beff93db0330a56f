import type { ExportTable } from "../archive/tables.ts";
import { holdsLargeRows } from "../db/schema.ts";

/** How DuckDB writes one table's Parquet (copy-table.sql, partition-table.sql). */
export interface CopyShape {
  /** ROW_GROUP_SIZE_BYTES: each writer thread buffers a row group of up to about this much. */
  rowGroupBytes: string;
  /** `partitioned_write_flush_threshold`: the rows buffered across all open partitions before they are written. */
  partitionFlushRows: number;
}

/*
 * Row groups of 61,440 rows (copy-table.sql) and of 32 MB at most: metric rows end by count. A log row may hold a
 * conversation's text (Go 0.3+ transcripts: tens of KB to MBs), and there DuckDB holds a row group, the page made of
 * it and each 2,048-row vector in memory per thread: `export all` of the database that 2 GB of Claude sessions with
 * transcripts make (159,652 log rows) ran out of 192 MB and of 384 MB and peaked at 708-763 MB without a bound; on one
 * thread with 16 MB row groups it holds in 256 MB (DuckDB's tags at the peak: 142 MB of allocations, 62 of table
 * blocks, 52 of row group data), 10-11 s against 12-14 s. Its `--layout hive` rewrite buffered 61,440 such rows across
 * the open partitions and peaked at 3.2 GB; flushed every 2,048 rows, one thread, 256 MB: 20 against 15 s, ~410 MB.
 * The 500,000 usage-only log rows of the 5-million-row benchmark database: 0.6 against 0.5 s (docs/performance.md [S29]).
 */
const DEFAULT_SHAPE: CopyShape = { rowGroupBytes: "32MB", partitionFlushRows: 61_440 };
const LARGE_ROWS_SHAPE: CopyShape = { rowGroupBytes: "16MB", partitionFlushRows: 2_048 };

/** How DuckDB writes `table` (its rows written on one thread where they may be large: holdsLargeRows, onLargeRows). */
export function copyShape(table: ExportTable): CopyShape {
  return holdsLargeRows(table.table) ? LARGE_ROWS_SHAPE : DEFAULT_SHAPE;
}
