import { join } from "node:path";
import { splitPathList } from "../shared/env-paths.ts";

/**
 * `AI_OBSERVER_CODEX_PATH` (comma list; each is a sessions directory) wins, as in Go. Otherwise
 * `$CODEX_HOME` or `~/.codex`, with both `sessions/` and `archived_sessions/`.
 */
export function codexRoots(env: Record<string, string | undefined>, home: string): string[] {
  const override = splitPathList(env["AI_OBSERVER_CODEX_PATH"]);
  if (override.length > 0) return override;
  const codexHome = env["CODEX_HOME"]?.trim() || (home ? join(home, ".codex") : "");
  if (!codexHome) return [];
  return [join(codexHome, "sessions"), join(codexHome, "archived_sessions")];
}

/** Rollouts, plain or zstd-compressed (≥0.137). */
export function isCodexSessionFile(_path: string, name: string): boolean {
  return name.endsWith(".jsonl") || name.endsWith(".jsonl.zst");
}

export function sessionIdFromFileName(name: string): string {
  return name.replace(/\.jsonl(\.zst)?$/, "");
}
