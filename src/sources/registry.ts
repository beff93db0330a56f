import type { ToolId } from "../shared/sources.ts";
import { claudeSource } from "./claude/index.ts";
import { codexSource } from "./codex/index.ts";
import { geminiSource } from "./gemini/index.ts";
import type { SessionSource } from "./types.ts";

/** In the order claude-code, codex, gemini (the Go `all` order). A new tool is one folder plus one line here. */
export const SESSION_SOURCES: readonly SessionSource[] = [claudeSource, codexSource, geminiSource];

export function sourceFor(tool: ToolId): SessionSource {
  const source = SESSION_SOURCES.find((candidate) => candidate.tool === tool);
  if (!source) throw new Error(`no session source for ${tool}`);
  return source;
}
