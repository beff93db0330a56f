import type { DuckDBConnection } from "../db/duckdb.ts";
import type { InsertedCounts, StagedTables, TimeRange } from "./staged-tables.ts";
import { hasWatchColumns } from "../db/schema.ts";
import { withJsonRows, withTempTable } from "../db/temp-table.ts";
import deleteReplacedSql from "./delete-replaced.sql" with { type: "text" };
import { SERVICE_NAMES } from "../shared/sources.ts";
import { deleteGoRows } from "./go-rows.ts";
import type { ToolPlan } from "./plan-import.ts";

/**
 * Removes the rows of the stored copies this run replaces, and of the obsolete events, with their bookkeeping (a
 * replaced event's is recorded again by recordEvents).
 */
async function deleteReplacedRows(connection: DuckDBConnection, plans: readonly ToolPlan[]): Promise<void> {
  const replaced = plans.flatMap((plan) => plan.events.replaced().map((event) => ({ tool: plan.tool, ...event })));
  const obsolete = plans.flatMap((plan) => plan.obsolete.map((stored) => ({ tool: plan.tool, key: stored.key, stored })));
  const gone = [...replaced, ...obsolete];
  if (gone.length === 0) return;
  const rows = gone.map(({ key, stored }) => ({ event_key: key, ts: stored.timestamp }));
  await withTempTable(connection, "import_replaced", { event_key: "VARCHAR", ts: "VARCHAR" }, rows, async () => {
    for (const [table, attributes] of [["otel_logs", "LogAttributes"], ["otel_metrics", "Attributes"]] as const) {
      await connection.run(deleteReplacedSql.replaceAll("{{table}}", table).replaceAll("{{attributes}}", attributes));
    }
  });
  const keys = gone.map(({ tool, key }) => ({ tool, event_key: key }));
  await withTempTable(connection, "import_gone", { tool: "VARCHAR", event_key: "VARCHAR" }, keys, () =>
    connection.run("DELETE FROM ai_observer_import_events WHERE (tool, event_key) IN (SELECT tool, event_key FROM import_gone)"),
  );
}

/** Records the files read in full, in our table and in AI Observer's `import_state` (with the SHA-256 the Go importer uses). */
async function recordFiles(connection: DuckDBConnection, plans: readonly ToolPlan[], importedAt: string): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (const plan of plans) {
    for (const file of plan.complete) {
      // Size and mtime as seen before reading: a write during the read shows up as a change next time.
      const seen = plan.discovered.get(file.path);
      if (!seen) continue;
      rows.push({
        tool: plan.tool,
        file_path: file.path,
        size: seen.size,
        mtime_ms: seen.mtimeMs,
        events: file.eventCount,
        bad_lines: file.badLines,
        file_hash: file.sha256,
        parser_version: plan.versions.parser,
        prices: plan.versions.prices,
        transcripts: plan.versions.transcripts,
      });
    }
  }
  if (rows.length === 0) return;
  const columns = {
    tool: "VARCHAR",
    file_path: "VARCHAR",
    size: "BIGINT",
    mtime_ms: "DOUBLE",
    events: "INTEGER",
    bad_lines: "INTEGER",
    file_hash: "VARCHAR",
    parser_version: "INTEGER",
    prices: "VARCHAR",
    transcripts: "BOOLEAN",
  } as const;
  await withJsonRows(columns, rows, async (source, params) => {
    await connection.run(
      `INSERT OR REPLACE INTO ai_observer_import_files (tool, file_path, size, mtime_ms, events, bad_lines, imported_at, parser_version, prices, transcripts)
       SELECT tool, file_path, size, mtime_ms, events, bad_lines, $at::TIMESTAMP, parser_version, prices, transcripts FROM ${source}`,
      { ...params, at: importedAt },
    );
    // Go 0.4+ adds three columns for its `watch` mode; its full import writes them as 0, 0, '' (a watcher then takes
    // the file as imported to its end), and so do we.
    const watch = (await hasWatchColumns(connection)) ? [", byte_offset, message_count, parser_state", ", 0, 0, ''"] : ["", ""];
    await connection.run(
      `INSERT OR REPLACE INTO import_state (source, file_path, file_hash, imported_at, record_count${watch[0]})
       SELECT tool, file_path, file_hash, $at::TIMESTAMP, least(events, 2147483647)::INTEGER${watch[1]} FROM ${source}`,
      { ...params, at: importedAt },
    );
  });
}

/**
 * Writes the plans' rows in the caller's transaction: replaced rows and the Go importer's rows of the same usage out,
 * new rows (written by `tables`) of `range` in (the first of an import's parts: commit-parts.ts).
 */
export async function writePlannedRows(connection: DuckDBConnection, plans: readonly ToolPlan[], tables: StagedTables, range: TimeRange): Promise<InsertedCounts> {
  await deleteReplacedRows(connection, plans);
  for (const plan of plans) {
    if (plan.goRows.logs + plan.goRows.metrics > 0) await deleteGoRows(connection, SERVICE_NAMES[plan.tool], plan.goRows.footprint);
  }
  return tables.insert(connection, range);
}

/**
 * Records, in the caller's transaction, the events of `range` imported (written by `tables`) and the files read in full
 * (the last of an import's parts). The events recorded.
 */
export async function recordImport(connection: DuckDBConnection, plans: readonly ToolPlan[], importedAt: string, tables: StagedTables, range: TimeRange): Promise<number> {
  const events = await tables.recordEvents(connection, range);
  await recordFiles(connection, plans, importedAt);
  return events;
}
