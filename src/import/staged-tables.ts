import { STAGED_ROW_GROUP, writeStagedTable } from "../staging/staged-parquet.ts";
import { concatRows } from "../staging/chosen-events.ts";
import { type StagedRows, stagingFailure } from "../staging/staged-rows.ts";
import type { DuckDBConnection } from "../db/duckdb.ts";
import { columnList } from "../db/table-columns.ts";
import { queryNumber } from "../db/query-number.ts";
import { sqlString } from "../db/sql-template.ts";
import { EVENT_RECORD_COLUMNS, writeEventRecords } from "./event-records.ts";
import type { ToolPlan } from "./plan-import.ts";

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

type Written = InsertedCounts & { events: number };

/** Times from `from` up to `to` (microseconds since the epoch, UTC; null: no bound). */
export interface TimeRange {
  from: number | null;
  to: number | null;
}

const EVERY_TIME: TimeRange = { from: null, to: null };

/**
 * What an import inserts, as Parquet files in the run's scratch folder: its staged rows with the tables' columns (the
 * same writer as export --from-files) and the bookkeeping row of each planned event (event-records.ts). All are
 * written by `write`, before the transaction's work; the planned events and the staged rows are then let go, so that
 * DuckDB inserts beside a small process (the planned events of 1 GB of Gemini sessions with transcripts, 1.3 million,
 * held ~280 MB through every INSERT and the indexes after the COMMIT). A retry of the transaction (without DuckDB's
 * memory limit) inserts the same files again.
 */
export class StagedTables {
  #written: Written | null = null;
  readonly #files: Record<keyof Written, string>;

  constructor(private readonly rows: StagedRows) {
    this.#files = {
      logs: rows.scratchFile("otel_logs.parquet"),
      metrics: rows.scratchFile("otel_metrics.parquet"),
      events: rows.scratchFile("import_events.parquet"),
    };
  }

  /** Writes the files from the plans' chosen events and the staged rows, then releases both. */
  async write(plans: readonly ToolPlan[]): Promise<void> {
    if (this.#written) throw new Error("the staged tables are written once");
    const { rows } = this;
    rows.close();
    const winners = concatRows(plans.map((plan) => plan.events));
    try {
      const events = plans.some((plan) => plan.events.size > 0) ? await writeEventRecords(plans, this.#files.events) : 0;
      // The rows need the chosen copies, not their keys (most of their memory).
      for (const plan of plans) plan.events.releaseKeys();
      // writeStagedTable first collects the parse's garbage when the process is large (MemoryGovernor.collectIfLarge).
      const logs = await writeStagedTable("otel_logs", rows, winners, this.#files.logs, INSERT_ROW_GROUP);
      const metrics = await writeStagedTable("otel_metrics", rows, winners, this.#files.metrics, INSERT_ROW_GROUP);
      this.#written = { logs, metrics, events };
    } catch (error) {
      throw stagingFailure(error);
    }
    rows.release();
    for (const plan of plans) plan.events.release();
    // What the process held for them goes now, before DuckDB takes its share (the peak of a large import).
    Bun.gc(true);
  }

  #counts(): Written {
    if (!this.#written) throw new Error("the staged tables are not written yet");
    return this.#written;
  }

  /**
   * The written rows' times cut into about `parts` ranges of as many rows each (quantiles of the rows' `Timestamp`),
   * in order; one range of every time when `parts` is 1 or there are no rows. An event's rows and its bookkeeping row
   * share its timestamp (delete-replaced.sql finds them by it), so each event lies in one range whole.
   */
  async timeRanges(connection: DuckDBConnection, parts: number): Promise<TimeRange[]> {
    const written = this.#counts();
    const files = (["logs", "metrics"] as const).filter((key) => written[key] > 0).map((key) => `SELECT epoch_us(Timestamp) AS micros FROM read_parquet(${sqlString(this.#files[key])})`);
    if (parts <= 1 || files.length === 0) return [EVERY_TIME];
    const fractions = Array.from({ length: parts - 1 }, (_, i) => (i + 1) / parts).join(", ");
    const reader = await connection.runAndReadAll(`SELECT quantile_disc(micros, [${fractions}]) FROM (${files.join(" UNION ALL ")})`);
    const cuts = [...new Set((reader.getRows()[0]?.[0] as { items: unknown[] } | undefined)?.items.map(Number) ?? [])];
    const bounds = [null, ...cuts, null];
    return cuts.length === 0 ? [EVERY_TIME] : bounds.slice(1).map((to, i) => ({ from: bounds[i] ?? null, to }));
  }

  /** Inserts the staged rows of `range` into otel_logs and otel_metrics, in the caller's transaction. */
  async insert(connection: DuckDBConnection, range: TimeRange = EVERY_TIME): Promise<InsertedCounts> {
    const written = this.#counts();
    const inserted: InsertedCounts = { logs: 0, metrics: 0 };
    for (const [key, table] of [["logs", "otel_logs"], ["metrics", "otel_metrics"]] as const) {
      if (written[key] === 0) continue;
      // Columns named on both sides: a table another writer extended keeps its other columns' defaults.
      inserted[key] = await this.#insertFile(connection, table, columnList(table), key, "Timestamp", range);
    }
    return inserted;
  }

  /** Inserts the bookkeeping rows of the planned events of `range` into ai_observer_import_events, in the caller's transaction. */
  async recordEvents(connection: DuckDBConnection, range: TimeRange = EVERY_TIME): Promise<number> {
    if (this.#counts().events === 0) return 0;
    return this.#insertFile(connection, "ai_observer_import_events", EVENT_RECORD_COLUMNS.map((column) => column.name).join(", "), "events", "ts", range);
  }

  /** Throws unless the rows inserted in all ranges (`inserted`, summed) are the rows written. */
  checkInserted(inserted: InsertedCounts & { events: number }): void {
    const written = this.#counts();
    for (const [key, table] of [["logs", "otel_logs"], ["metrics", "otel_metrics"], ["events", "ai_observer_import_events"]] as const) {
      if (inserted[key] !== written[key]) throw new Error(`${table}: ${written[key]} rows written but ${inserted[key]} inserted`);
    }
  }

  /** Inserts the rows of the written file `key` whose `time` column lies in `range` into `table`'s `columns`. */
  async #insertFile(connection: DuckDBConnection, table: string, columns: string, key: keyof Written, time: string, range: TimeRange): Promise<number> {
    const where = [range.from === null ? "" : `${time} >= make_timestamp(${range.from})`, range.to === null ? "" : `${time} < make_timestamp(${range.to})`].filter(Boolean);
    const filter = where.length === 0 ? "" : ` WHERE ${where.join(" AND ")}`;
    return queryNumber(connection, `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM read_parquet($file)${filter}`, { file: this.#files[key] });
  }
}
