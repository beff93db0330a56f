import { openMemoryDatabase } from "../db/open.ts";
import { insertEventRows } from "../db/insert-rows.ts";
import type { ToolId } from "../sources.ts";
import { discoverTools, type FileFailure, parseFiles, type ParseProgress } from "../sources/load-sessions.ts";
import { selectEvents } from "../sources/shared/merge.ts";
import type { ParsedFile } from "../sources/types.ts";
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
 * so that export runs on it exactly as on the real database, which is never opened.
 */
export async function openSessionFiles(tools: readonly ToolId[], progress: ParseProgress = {}): Promise<OpenInput & { summary: SessionFilesSummary }> {
  const { connection, close } = await openMemoryDatabase();
  try {
    const parsed: ParsedFile[] = [];
    const failed: FileFailure[] = [];
    for (const found of await discoverTools(tools)) {
      // No SHA-256: only import records it.
      const result = await parseFiles(found.source, found.files, progress, undefined, { hash: false });
      parsed.push(...result.parsed);
      failed.push(...result.failed);
    }
    const events = selectEvents(parsed);
    await insertEventRows(connection, events);
    const unpriced = new Set(events.filter((event) => event.unpriced).map((event) => event.model));
    const summary: SessionFilesSummary = {
      files: parsed.length,
      bytes: parsed.reduce((sum, file) => sum + file.bytes, 0),
      badLines: parsed.reduce((sum, file) => sum + file.badLines, 0),
      failed,
      unpricedModels: [...unpriced].sort(),
    };
    return { connection, close, summary };
  } catch (error) {
    close();
    throw error;
  }
}
