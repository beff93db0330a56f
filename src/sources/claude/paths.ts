import { basename, join } from "node:path";
import { splitPathList, uniquePaths } from "../shared/env-paths.ts";

/**
 * `AI_OBSERVER_CLAUDE_PATH` (comma list) is used exclusively, as in Go. Otherwise every place Claude Code has
 * written transcripts: each `CLAUDE_CONFIG_DIR` entry (comma list, the root or its `projects/`), then
 * `$XDG_CONFIG_HOME/claude/projects` (default `~/.config/claude/projects`), then `~/.claude/projects`.
 */
export function claudeRoots(env: Record<string, string | undefined>, home: string): string[] {
  const override = splitPathList(env["AI_OBSERVER_CLAUDE_PATH"]);
  if (override.length > 0) return override;
  const configDirs = splitPathList(env["CLAUDE_CONFIG_DIR"]).map((dir) =>
    basename(dir) === "projects" ? dir : join(dir, "projects"),
  );
  const xdg = env["XDG_CONFIG_HOME"]?.trim() || (home ? join(home, ".config") : "");
  const defaults = [xdg ? join(xdg, "claude", "projects") : "", home ? join(home, ".claude", "projects") : ""];
  return uniquePaths([...configDirs, ...defaults.filter((dir) => dir !== "")]);
}

/**
 * Session transcripts, subagent transcripts (`agent-*.jsonl`, `<sid>/subagents/**`) and resumed copies: every
 * `.jsonl` at any depth, except workflow `journal.jsonl` files, which are not transcripts.
 */
export function isClaudeSessionFile(_path: string, name: string): boolean {
  return name.endsWith(".jsonl") && name !== "journal.jsonl";
}
