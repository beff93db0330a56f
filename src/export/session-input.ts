import { loadDuckDB } from "../db/duckdb.ts";
import { type RowFilter, timestampTest } from "../db/row-filter.ts";
import type { ToolId } from "../shared/sources.ts";
import { discoverTools, type FileFailure, type ParseProgress, ParseRun } from "../staging/parse-run.ts";
import type { RunSettings } from "../shared/run-settings.ts";
import { EventSet, unpricedModels } from "../sources/shared/merge.ts";
import { addUnknownUsage, noUnknownUsage, type UnknownUsage } from "../sources/unknown-usage.ts";
import type { StagedEvent } from "../staging/staged-file.ts";
import { STAGED_ROW_GROUP, writeStagedTable } from "../staging/staged-parquet.ts";
import { StagedRows } from "../staging/staged-rows.ts";
import type { OpenInput } from "./export-input.ts";
import { hasViewsTemplate } from "./views-db.ts";
import type { TableCounts } from "./tables.ts";

export interface SessionFilesSummary {
  files: number;
  bytes: number;
  badLines: number;
  unknownUsage: UnknownUsage;
  failed: FileFailure[];
  unpricedModels: string[];
}

/** The chosen copies within the filter's time range and service (an event's rows all have its timestamp and service). */
function selection(winners: readonly StagedEvent[], filter: RowFilter): readonly StagedEvent[] {
  const inRange = timestampTest(filter.range);
  if (inRange === null && filter.serviceName === null) return winners;
  return winners.filter((event) => (inRange === null || inRange(event.timestamp)) && (filter.serviceName === null || event.service === filter.serviceName));
}

/**
 * Parses the agents' session files, on worker threads, into staged row files, keeping in memory
 * only each event's key, rank and row counts, and picks the best copy of each event. The export
 * then counts those copies' rows and writes them as Parquet straight from the staged files; no
 * database is opened (DuckDB is loaded meanwhile, for the views database only).
 */
export async function openSessionFiles(tools: readonly ToolId[], transcripts: boolean, settings: RunSettings, progress: ParseProgress = {}): Promise<OpenInput & { summary: SessionFilesSummary }> {
  const rows = new StagedRows(settings.stagedMemoryBytes);
  const best = new EventSet<StagedEvent>();
  const summary: SessionFilesSummary = { files: 0, bytes: 0, badLines: 0, unknownUsage: noUnknownUsage(), failed: [], unpricedModels: [] };
  await using run = new ParseRun(settings);
  try {
    run.warmUp(tools, transcripts); // no SHA-256 here, as below; the transcripts decode every line
    const found = await discoverTools(tools);
    // Without a views template the views database needs DuckDB: its library loads while worker threads parse.
    if (!hasViewsTemplate()) loadDuckDB().catch(() => undefined); // a failure shows where it is used
    for (const tool of found) {
      summary.failed.push(...tool.failed);
      // No SHA-256: only import records it.
      const failed = await run.stage(tool.source, tool.files, rows, (staged) => {
        summary.files++;
        summary.bytes += staged.file.bytes;
        summary.badLines += staged.file.badLines;
        addUnknownUsage(summary.unknownUsage, staged.file);
        for (const event of staged.events) best.add(event);
      }, { progress, hash: false, transcripts });
      summary.failed.push(...failed);
    }
    void run.endWorkers(); // their heaps go while the Parquet files are written
    rows.close();
  } catch (error) {
    rows.dispose();
    throw error;
  }
  const winners = best.values();
  summary.unpricedModels = unpricedModels(winners);
  return {
    async count(filter): Promise<TableCounts> {
      const events = selection(winners, filter);
      const counts: TableCounts = { traces: 0, logs: 0, metrics: 0 };
      for (const event of events) {
        counts.logs += event.logs;
        counts.metrics += event.metrics;
      }
      return counts;
    },
    writeTable(table, filter, path) {
      return writeStagedTable(table.table, rows, selection(winners, filter), path, STAGED_ROW_GROUP, settings.threads !== 1);
    },
    database: null,
    interrupt: () => undefined,
    close: () => rows.dispose(),
    summary,
  };
}
