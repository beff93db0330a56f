import { basename, dirname, join } from "node:path";
import { splitPathList } from "../shared/env-paths.ts";

/**
 * The `tmp/` directory: `AI_OBSERVER_GEMINI_PATH` (comma list) wins; then `$GEMINI_CLI_HOME/.gemini/tmp`
 * (gemini-cli ≥0.25 replaces the home directory); then the Go original's `$GEMINI_HOME/tmp`; then `~/.gemini/tmp`.
 */
export function geminiRoots(env: Record<string, string | undefined>, home: string): string[] {
  const override = splitPathList(env["AI_OBSERVER_GEMINI_PATH"]);
  if (override.length > 0) return override;
  const cliHome = env["GEMINI_CLI_HOME"]?.trim();
  if (cliHome) return [join(cliHome, ".gemini", "tmp")];
  const geminiHome = env["GEMINI_HOME"]?.trim();
  if (geminiHome) return [join(geminiHome, "tmp")];
  return home ? [join(home, ".gemini", "tmp")] : [];
}

function isJsonFile(name: string): boolean {
  return name.endsWith(".json") || name.endsWith(".jsonl");
}

/** `chats/<parentSessionId>/<subagentSessionId>.json(l)` (≥0.37): the parent session id, else `""`. */
export function subagentParent(path: string): string {
  const parentDir = dirname(path);
  return basename(dirname(parentDir)) === "chats" ? basename(parentDir) : "";
}

/** `session-*.json` (≤0.38), `session-*.jsonl` (≥0.39) and nested subagent sessions; not logs, checkpoints, temp files. */
export function isGeminiSessionFile(path: string, name: string): boolean {
  if (!isJsonFile(name)) return false;
  return name.startsWith("session-") || subagentParent(path) !== "";
}
