import type { TelemetryTable } from "../db/schema.ts";
import type { ConstantValue, EncodedChunk, EncodeOptions } from "../parquet/encode-row-group.ts";
import type { FragmentPlace } from "./staged-rows.ts";

/** The messages between TableWorkers (table-workers.ts) and its workers (table-worker.ts). */

/** How a table's row groups are filled, the same for all of them (StagedTableWriter's). */
export interface TableLayout {
  table: TelemetryTable;
  /** Per column, its value in every row, or undefined (ParquetWriter). */
  constants: readonly (ConstantValue | undefined)[];
  capacities: readonly (number | undefined)[];
  /** The columns that take the event's unit and service per row, or null. */
  unit: number | null;
  service: number | null;
}

/** One row group to fill from the staged file and encode: runs of events of its fragments (RowGroupPlanner's). */
export interface RowGroupJob {
  layout: TableLayout;
  /** The table's staged file, and the places of the fragments the runs read. */
  path: string;
  fragments: FragmentPlace[];
  runs: { fragment: number; start: number; end: number; rows: number }[];
  /** Per event of the runs, in order: its unit (with a per-row unit column) and its service (with a per-row service column). */
  units: string[] | null;
  services: string[] | null;
  rows: number;
  options: EncodeOptions;
}

/** A worker has one row group at a time: its reply is that one's. */
export type RowGroupReply = { chunks: EncodedChunk[] } | { error: string };

/** A Buffer over a Uint8Array that a message's structured clone made of one (no copy): the encoder and writer take Buffers. */
export const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
