import type { ChosenRows } from "../staging/chosen-events.ts";
import { STAGED_ROW_GROUP, writeStagedTable } from "../staging/staged-parquet.ts";
import { type StagedRows, stagingFailure } from "../staging/staged-rows.ts";
import type { DuckDBConnection } from "../db/duckdb.ts";
import { columnList } from "../db/table-columns.ts";
import { queryNumber } from "../db/query-number.ts";

export interface InsertedCounts {
  logs: number;
  metrics: number;
}

/**
 * Row groups of the files DuckDB inserts from: smaller than an export's, because each of DuckDB's threads
 * holds a row group's decompressed pages while it inserts (a page is a row group's column here): with
 * 16 MB pages a 2 GB import peaked at 520-590 MB.
 */
const INSERT_ROW_GROUP = { rows: STAGED_ROW_GROUP.rows, bytes: 2 << 20 };

/**
 * The staged rows of an import as Parquet files with the tables' columns (the same writer as export --from-files),
 * inserted by DuckDB in one statement per table, inside the caller's transaction. The files are written once, on the
 * first `insert`: a retry of the transaction (without DuckDB's memory limit) inserts the same files again.
 */
export class StagedTables {
  #written: InsertedCounts | null = null;

  constructor(private readonly rows: StagedRows) {}

  /** Inserts the staged rows of `winners` into otel_logs and otel_metrics. */
  async insert(connection: DuckDBConnection, winners: ChosenRows): Promise<InsertedCounts> {
    const { rows } = this;
    const tables = [
      { key: "logs", table: "otel_logs", file: rows.scratchFile("otel_logs.parquet") },
      { key: "metrics", table: "otel_metrics", file: rows.scratchFile("otel_metrics.parquet") },
    ] as const;
    if (!this.#written) {
      rows.close();
      // writeStagedTable first collects the parse's garbage when the process is large (MemoryGovernor.collectIfLarge).
      const written = { logs: 0, metrics: 0 };
      try {
        for (const { key, table, file } of tables) written[key] = await writeStagedTable(table, rows, winners, file, INSERT_ROW_GROUP);
      } catch (error) {
        throw stagingFailure(error);
      }
      this.#written = written;
      // The staged rows held in memory and what writing left on the heap go now, before DuckDB takes its share (the peak of a large import).
      rows.release();
      Bun.gc(true);
    }
    const written = this.#written;
    const inserted: InsertedCounts = { logs: 0, metrics: 0 };
    for (const { key, table, file } of tables) {
      if (written[key] === 0) continue;
      // Columns named on both sides: a table another writer extended keeps its other columns' defaults.
      const columns = columnList(table);
      const count = await queryNumber(connection, `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM read_parquet($file)`, { file });
      if (count !== written[key]) throw new Error(`${table}: ${written[key]} rows staged but ${count} inserted`);
      inserted[key] = count;
    }
    return inserted;
  }
}
