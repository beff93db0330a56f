import { loadDuckDB } from "../db/duckdb.ts";
import { type RowFilter, timestampTest } from "../db/row-filter.ts";
import { discoverTools, type FileFailure, type ParseProgress, ParseRun } from "../staging/parse-run.ts";
import type { RunSettings } from "../shared/run-settings.ts";
import { addUnknownUsage, noUnknownUsage, type UnknownUsage } from "../sources/unknown-usage.ts";
import { ChosenEvents, rowTotals } from "../staging/chosen-events.ts";
import { STAGED_ROW_GROUP, writeStagedTable } from "../staging/staged-parquet.ts";
import { StagedRows } from "../staging/staged-rows.ts";
import type { ExportInput, OpenInput } from "./export-input.ts";
import { resourceAttributesJson } from "../shared/origin.ts";
import { hasViewsTemplate } from "./views-db.ts";
import type { TableCounts } from "../archive/tables.ts";

export interface SessionFilesSummary {
  files: number;
  bytes: number;
  badLines: number;
  unknownUsage: UnknownUsage;
  failed: FileFailure[];
  unpricedModels: string[];
}

/**
 * Parses the agents' session files, on worker threads, into staged row files, keeping in memory
 * only each event's key, rank and row counts, and picks the best copy of each event. The export
 * then counts those copies' rows and writes them as Parquet straight from the staged files; no
 * database is opened (DuckDB is loaded meanwhile, for the views database only).
 */
export async function openSessionFiles(input: Extract<ExportInput, { kind: "files" }>, settings: RunSettings, progress: ParseProgress = {}): Promise<OpenInput & { summary: SessionFilesSummary }> {
  const { tools, transcripts } = input;
  const rows = new StagedRows(settings.stagedMemoryBytes, resourceAttributesJson(input.hostName));
  const best = new ChosenEvents();
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
        for (const event of staged.events) best.offer(event);
      }, { progress, hash: false, transcripts });
      summary.failed.push(...failed);
    }
    void run.endWorkers(); // their heaps go while the Parquet files are written
    rows.close();
  } catch (error) {
    rows.dispose();
    throw error;
  }
  summary.unpricedModels = best.unpricedModels();
  // Writing the rows needs the chosen copies, not their keys.
  best.releaseKeys();
  /** The chosen copies within the filter's time range and service (an event's rows all have its timestamp and service). */
  const selection = (filter: RowFilter) => best.select(timestampTest(filter.range), filter.serviceName);
  return {
    async count(filter): Promise<TableCounts> {
      return { traces: 0, ...rowTotals(selection(filter)) };
    },
    writeTable(table, filter, path) {
      return writeStagedTable(table.table, rows, selection(filter), path, STAGED_ROW_GROUP, settings.threads !== 1);
    },
    database: null,
    interrupt: () => undefined,
    close: () => rows.dispose(),
    summary,
  };
}
