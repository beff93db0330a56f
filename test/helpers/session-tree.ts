import { cpSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./run-cli.ts";
import { tempDir } from "./temp.ts";

/** The real session files of public projects (read-only, outside the repo; see its SOURCES.md). */
export const SAMPLES = join(REPO_ROOT, "..", "shared", "samples");

export interface SessionTree {
  root: string;
  claude: string;
  codex: string;
  gemini: string;
  env: Record<string, string>;
}

/**
 * A writable copy of the samples laid out as the agents do (Gemini sessions renamed into
 * `tmp/<hash>/chats/session-*.json`), with the AI_OBSERVER_*_PATH variables pointing at it.
 */
export function sampleTree(): SessionTree {
  const root = tempDir("sessions-");
  const claude = join(root, "claude", "projects");
  const codex = join(root, "codex", "sessions");
  const gemini = join(root, "gemini", "tmp");
  cpSync(join(SAMPLES, "claude-code"), claude, { recursive: true });
  cpSync(join(SAMPLES, "codex"), codex, { recursive: true });
  let index = 0;
  for (const folder of ["vibecodingtracker/0247fb6", "vibecodingtracker/f1f04cc", "agtrace"]) {
    for (const name of readdirSync(join(SAMPLES, "gemini", folder)).filter((file) => file.endsWith(".json"))) {
      const chats = join(gemini, `hash${index}`, "chats");
      mkdirSync(chats, { recursive: true });
      cpSync(join(SAMPLES, "gemini", folder, name), join(chats, `session-2025-10-0${index}T10-00-sample${index}.json`));
      index++;
    }
  }
  const jsonlChats = join(gemini, "hash-jsonl", "chats");
  mkdirSync(jsonlChats, { recursive: true });
  cpSync(join(SAMPLES, "gemini", "vibecodingtracker", "gemini.jsonl"), join(jsonlChats, "session-2026-04-23T10-00-jsonl.jsonl"));
  return { root, claude, codex, gemini, env: sessionEnv(claude, codex, gemini) };
}

export function sessionEnv(claude: string, codex: string, gemini: string): Record<string, string> {
  return { AI_OBSERVER_CLAUDE_PATH: claude, AI_OBSERVER_CODEX_PATH: codex, AI_OBSERVER_GEMINI_PATH: gemini };
}
