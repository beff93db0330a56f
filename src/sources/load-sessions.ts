import { homedir } from "node:os";
import { errorMessage, firstLine } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import type { ToolId } from "../sources.ts";
import { sourceFor } from "./registry.ts";
import type { DiscoveredFile, ParsedFile, SessionSource } from "./types.ts";

export interface DiscoveredTool {
  tool: ToolId;
  source: SessionSource;
  roots: string[];
  files: DiscoveredFile[];
}

export async function discoverTools(tools: readonly ToolId[], env: Record<string, string | undefined> = process.env, home = homedir()): Promise<DiscoveredTool[]> {
  const found: DiscoveredTool[] = [];
  for (const tool of tools) {
    const source = sourceFor(tool);
    const roots = source.roots(env, home);
    found.push({ tool, source, roots, files: await source.discover(roots) });
  }
  return found;
}

export interface FileFailure {
  path: string;
  reason: string;
}

export interface ParseProgress {
  /** Before a tool's files are read: how many, and their size on disk. */
  onReadStart?(tool: ToolId, files: number, bytes: number): void;
  onFileParsed?(tool: ToolId, file: ParsedFile, ms: number): void;
  onReadDone?(tool: ToolId): void;
}

export interface ParsedFiles {
  parsed: ParsedFile[];
  /** Files that could not be read at all (vanished, no permission); the others go on. */
  failed: FileFailure[];
}

export async function parseFiles(source: SessionSource, files: readonly DiscoveredFile[], progress: ParseProgress = {}, signal?: AbortSignal): Promise<ParsedFiles> {
  const result: ParsedFiles = { parsed: [], failed: [] };
  progress.onReadStart?.(source.tool, files.length, files.reduce((sum, file) => sum + file.size, 0));
  for (const file of files) {
    const started = performance.now();
    try {
      const parsed = await source.parseFile(file, { signal });
      progress.onFileParsed?.(source.tool, parsed, performance.now() - started);
      result.parsed.push(parsed);
    } catch (error) {
      if (signal?.aborted) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      result.failed.push({ path: file.path, reason: code ? fsReason(error) : firstLine(errorMessage(error)) });
    }
  }
  progress.onReadDone?.(source.tool);
  return result;
}
