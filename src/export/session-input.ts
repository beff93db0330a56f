import { boundExportMemory } from "../db/export-memory.ts";
import { openMemoryDatabase, type OpenDatabase } from "../db/open.ts";
import { viewStagedRows } from "../db/staged-tables.ts";
import type { ToolId } from "../sources.ts";
import { discoverTools, type FileFailure, type ParseProgress, stageFiles } from "../sources/load-sessions.ts";
import { EventSet, unpricedModels } from "../sources/shared/merge.ts";
import type { StagedEvent } from "../staging/staged-file.ts";
import { StagedRows } from "../staging/staged-rows.ts";
import type { OpenInput } from "./export-input.ts";

export interface SessionFilesSummary {
  files: number;
  bytes: number;
  badLines: number;
  failed: FileFailure[];
  unpricedModels: string[];
}

/**
 * Parses the agents' session files into staged row files, and opens an in-memory database
 * with AI Observer's schema in which otel_logs and otel_metrics are views of the best copy
 * of each event's rows, so that export runs on it exactly as on the real database, which is
 * never opened. Only the events' keys and ranks are held in memory, never their rows; DuckDB
 * loads meanwhile, while worker threads parse.
 */
export async function openSessionFiles(tools: readonly ToolId[], progress: ParseProgress = {}): Promise<OpenInput & { summary: SessionFilesSummary }> {
  const rows = new StagedRows();
  const best = new EventSet<StagedEvent>();
  const summary: SessionFilesSummary = { files: 0, bytes: 0, badLines: 0, failed: [], unpricedModels: [] };
  const stop = new AbortController();
  const parse = async () => {
    for (const found of await discoverTools(tools)) {
      // No SHA-256: only import records it.
      const failed = await stageFiles(found.source, found.files, rows, (staged) => {
        summary.files++;
        summary.bytes += staged.file.bytes;
        summary.badLines += staged.file.badLines;
        for (const event of staged.events) best.add(event);
      }, { progress, signal: stop.signal, hash: false });
      summary.failed.push(...failed);
    }
  };
  const parsing = parse();
  let db: OpenDatabase | undefined;
  try {
    db = await openMemoryDatabase();
    await boundExportMemory(db.connection);
    await parsing;
    const winners = best.values();
    summary.unpricedModels = unpricedModels(winners);
    await viewStagedRows(db.connection, rows, winners);
  } catch (error) {
    stop.abort(error);
    await parsing.catch(() => undefined);
    db?.close();
    rows.dispose();
    throw error;
  }
  const { connection, close } = db;
  return {
    connection,
    close: () => {
      close();
      rows.dispose();
    },
    summary,
  };
}
