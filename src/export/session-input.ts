import { loadDuckDB } from "../db/duckdb.ts";
import { microsTest, type RowFilter } from "../db/row-filter.ts";
import { discoverTools, type FileFailure, foundBytes, type ParseProgress, ParseRun } from "../staging/parse-run.ts";
import type { RunSettings } from "../shared/run-settings.ts";
import { addUnknownUsage, noUnknownUsage, type UnknownUsage } from "../sources/unknown-usage.ts";
import { ChosenEvents, rowTotals } from "../staging/chosen-events.ts";
import { LogStream } from "../staging/log-stream.ts";
import { exportRowGroup, stagedRowGroups, writeStagedTable } from "../staging/staged-parquet.ts";
import { TableWorkers, tableWorkerCount } from "../staging/table-workers.ts";
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
  /** The worker threads that fill and encode the tables' row groups (0: this thread; see tableWorkerCount). */
  tableWorkers: number;
}

/**
 * Parses the agents' session files, on worker threads, into staged row files, keeping in memory
 * only each event's key, rank and row counts, and picks the best copy of each event. The export
 * then counts those copies' rows and writes them as Parquet straight from the staged files; no
 * database is opened (DuckDB is loaded meanwhile, for the views database only).
 *
 * `stream`: the rows the export will write with this filter (it must be the one `count` and `writeTable` are given),
 * for the transcripts' log rows to be written while the files are parsed (LogStream); null: all staged.
 */
export async function openSessionFiles(
  input: Extract<ExportInput, { kind: "files" }>,
  settings: RunSettings,
  progress: ParseProgress = {},
  stream: RowFilter | null = null,
): Promise<OpenInput & { summary: SessionFilesSummary }> {
  if (stream !== null && input.transcripts) {
    const streamed = await parseSessionFiles(input, settings, progress, stream);
    if (streamed !== null) return streamed;
    // A copy whose rows were written was outranked by a later copy (rare: see LogStream): parsed again, all staged.
    progress.onReadAgain?.("a transcript line's copy whose rows were already written was outranked by a later copy");
  }
  return (await parseSessionFiles(input, settings, progress, null)) as OpenInput & { summary: SessionFilesSummary };
}

/** openSessionFiles, with a stream of the log rows for `stream`; null when the stream was withdrawn. */
async function parseSessionFiles(
  input: Extract<ExportInput, { kind: "files" }>,
  settings: RunSettings,
  progress: ParseProgress,
  stream: RowFilter | null,
): Promise<(OpenInput & { summary: SessionFilesSummary }) | null> {
  const { tools, transcripts } = input;
  const rows = new StagedRows(settings.stagedMemoryBytes, resourceAttributesJson(input.hostName));
  const best = new ChosenEvents();
  const summary: SessionFilesSummary = { files: 0, bytes: 0, badLines: 0, unknownUsage: noUnknownUsage(), failed: [], unpricedModels: [], tableWorkers: 0 };
  const threadPool = settings.threads !== 1;
  let logs: LogStream | null = null;
  let tableWorkers = 0;
  await using run = new ParseRun(settings);
  try {
    const wanted = stream === null ? null : best.test(microsTest(stream.range), stream.serviceName);
    run.warmUp(tools, transcripts); // no SHA-256 here, as below; the transcripts decode every line
    const found = await discoverTools(tools);
    progress.onFilesFound?.(foundBytes(found));
    // After the files are found, where the run may start itself again (allocator-restart.ts): its scratch folder would
    // be left behind by the run it replaces.
    logs = stream === null ? null : new LogStream(rows, rows.scratchFile("logs.parquet"), threadPool);
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
        if (logs !== null && wanted !== null) return logs.offer(staged, best, wanted);
        best.offerAll(staged.events);
        return undefined;
      }, { progress, hash: false, transcripts, streamLogs: logs !== null });
      summary.failed.push(...failed);
    }
    void run.endWorkers(); // their heaps go while the Parquet files are written
    const cpus = settings.threads ?? (navigator.hardwareConcurrency || 1);
    tableWorkers = threadPool ? tableWorkerCount(stagedRowGroups(rows, rowTotals(best)), settings.tableWorkers, cpus) : 0;
    // The table workers read every fragment from the scratch files.
    rows.close(tableWorkers > 0);
    if (logs?.withdrawn) {
      logs.abandon();
      rows.dispose();
      return null;
    }
  } catch (error) {
    logs?.abandon();
    rows.dispose();
    throw error;
  }
  const streamed = logs;
  summary.unpricedModels = best.unpricedModels();
  // Writing the rows needs the chosen copies, not their keys.
  best.releaseKeys();
  /** The chosen copies within the filter's time range and service (an event's rows all have its timestamp and service). */
  const selection = (filter: RowFilter) => best.select(microsTest(filter.range), filter.serviceName);
  // Started now, they load while the rows are counted.
  const workers = tableWorkers > 0 ? new TableWorkers(tableWorkers) : null;
  summary.tableWorkers = workers?.size ?? 0;
  return {
    async count(filter): Promise<TableCounts> {
      return { traces: 0, ...rowTotals(selection(filter)) };
    },
    writeTable(table, filter, path) {
      if (streamed !== null && table.table === "otel_logs") {
        if (filter !== stream) throw new Error("the logs were streamed for another filter");
        return streamed.finish(selection(filter), path);
      }
      const chosen = selection(filter);
      return writeStagedTable(table.table, rows, chosen, path, exportRowGroup(table.table, rowTotals(chosen)), threadPool, workers);
    },
    database: null,
    interrupt: () => undefined,
    close: () => {
      workers?.close();
      streamed?.abandon();
      rows.dispose();
    },
    summary,
  };
}
