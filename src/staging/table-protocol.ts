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
  id: number;
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

export type RowGroupReply = { id: number; chunks: EncodedChunk[] } | { id: number; error: string };
