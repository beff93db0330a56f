import { boundExportMemory } from "../db/export-memory.ts";
import { openMemoryDatabase } from "../db/open.ts";
import { RowFiles } from "../db/insert-rows.ts";
import type { ToolId } from "../sources.ts";
import { discoverTools, type FileFailure, parseFiles, type ParseProgress } from "../sources/load-sessions.ts";
import type { OpenInput } from "./export-input.ts";

export interface SessionFilesSummary {
  files: number;
  bytes: number;
  badLines: number;
  failed: FileFailure[];
  unpricedModels: string[];
}

/**
 * Parses the agents' session files into an in-memory database with AI Observer's schema,
 * so that export runs on it exactly as on the real database, which is never opened. Each
 * file's events go to the staging files as soon as it is parsed, and DuckDB keeps the best
 * copy of each event: memory does not grow with the history.
 */
export async function openSessionFiles(tools: readonly ToolId[], progress: ParseProgress = {}): Promise<OpenInput & { summary: SessionFilesSummary }> {
  const { connection, close } = await openMemoryDatabase();
  const rows = new RowFiles();
  try {
    await boundExportMemory(connection);
    const summary: SessionFilesSummary = { files: 0, bytes: 0, badLines: 0, failed: [], unpricedModels: [] };
    const staging: ParseProgress = {
      ...progress,
      onFileParsed(tool, file, ms) {
        progress.onFileParsed?.(tool, file, ms);
        summary.files++;
        summary.bytes += file.bytes;
        summary.badLines += file.badLines;
        for (const event of file.events) rows.add(event, true);
      },
    };
    for (const found of await discoverTools(tools)) {
      // No SHA-256 (only import records it), and no file kept after its events are staged.
      const result = await parseFiles(found.source, found.files, staging, undefined, { hash: false, retain: false });
      summary.failed.push(...result.failed);
    }
    summary.unpricedModels = (await rows.insertWinners(connection)).unpricedModels;
    return { connection, close, summary };
  } catch (error) {
    close();
    throw error;
  } finally {
    rows.dispose();
  }
}
