import type { DayRange } from "../shared/dates.ts";
import { countFilteredRows, countFilteredTraces, deleteCountedRows } from "../db/filtered-rows.ts";
import type { DatabaseLocation } from "../db/locate.ts";
import { openExistingDatabase } from "../db/open.ts";
import type { RowFilter } from "../db/row-filter.ts";
import { CliError, errorMessage, firstLine, UsageError } from "../shared/errors.ts";
import { onInterrupt } from "../shared/interrupts.ts";
import { type DeleteScope, scopeTables } from "./scope.ts";
import type { RunSettings } from "../shared/run-settings.ts";

export interface DeleteOptions {
  scope: DeleteScope;
  range: Required<DayRange>;
  serviceName: string | null;
  /** A service name that is not one of the three agents': accepted only if the database has it. */
  serviceMustExist: boolean;
  location: DatabaseLocation;
  dryRun: boolean;
  yes: boolean;
  /** What the run may use, read at the command (only its threads, for DuckDB). */
  settings: RunSettings;
}

/** Per table; `traces` counts distinct trace ids among the spans. */
export interface DeleteCounts {
  logs: number | null;
  metrics: number | null;
  spans: number | null;
  traces: number | null;
}

export interface DeletePreview {
  scope: DeleteScope;
  range: Required<DayRange>;
  serviceName: string | null;
  database: string;
  counts: DeleteCounts;
}

export interface DeleteHooks {
  onPreview?(preview: DeletePreview): void;
  confirm(preview: DeletePreview): Promise<boolean>;
}

type DeleteStatus = "deleted" | "dry-run" | "empty" | "aborted";

export interface DeleteResult {
  status: DeleteStatus;
  preview: DeletePreview;
  deleted: DeleteCounts;
}

const NONE: DeleteCounts = { logs: null, metrics: null, spans: null, traces: null };

const TABLE_KEY = { otel_logs: "logs", otel_metrics: "metrics", otel_traces: "spans" } as const;

function total(counts: DeleteCounts): number {
  return (counts.logs ?? 0) + (counts.metrics ?? 0) + (counts.spans ?? 0);
}

async function knownServiceNames(connection: import("../db/duckdb.ts").DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    "SELECT ServiceName FROM otel_logs UNION SELECT ServiceName FROM otel_metrics UNION SELECT ServiceName FROM otel_traces ORDER BY 1",
  );
  return reader.getRows().map((row) => String(row[0]));
}

/**
 * Counts, asks and deletes inside one transaction: what the preview shows is what goes,
 * and with scope `all` either every table's rows are deleted or none.
 */
export async function runDelete(options: DeleteOptions, hooks: DeleteHooks): Promise<DeleteResult> {
  const filter: RowFilter = { range: options.range, serviceName: options.serviceName };
  const db = await openExistingDatabase(options.location.path, { readOnly: false, threads: options.settings.threads });
  const { connection } = db;
  const stopInterrupting = onInterrupt(() => connection.interrupt());
  let open = false;
  try {
    if (options.serviceMustExist && options.serviceName !== null) {
      const services = await knownServiceNames(connection);
      if (!services.includes(options.serviceName)) {
        throw new UsageError(`unknown tool/service: ${options.serviceName} (tools: claude-code, codex, gemini; services in the database: ${services.join(", ") || "none"})`);
      }
    }
    await connection.run("BEGIN TRANSACTION");
    open = true;
    const counts: DeleteCounts = { ...NONE };
    const tables = scopeTables(options.scope);
    for (const table of tables) counts[TABLE_KEY[table]] = await countFilteredRows(connection, table, filter);
    if (tables.includes("otel_traces")) counts.traces = await countFilteredTraces(connection, filter);

    const preview: DeletePreview = { scope: options.scope, range: options.range, serviceName: options.serviceName, database: db.path, counts };
    if (total(counts) === 0) return { status: "empty", preview, deleted: { ...NONE } };
    hooks.onPreview?.(preview);
    if (options.dryRun) return { status: "dry-run", preview, deleted: { ...NONE } };
    if (!options.yes && !(await hooks.confirm(preview))) return { status: "aborted", preview, deleted: { ...NONE } };

    const deleted: DeleteCounts = { ...NONE, traces: counts.traces };
    for (const table of tables) {
      const key = TABLE_KEY[table];
      deleted[key] = await deleteCountedRows(connection, table, filter, counts[key] ?? 0);
    }
    await connection.run("COMMIT");
    open = false;
    return { status: "deleted", preview, deleted };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`delete failed, nothing was deleted: ${firstLine(errorMessage(error))}`);
  } finally {
    if (open) await connection.run("ROLLBACK").catch(() => undefined);
    stopInterrupting();
    db.close();
  }
}
