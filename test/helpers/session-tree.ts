import { chmodSync, cpSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "./temp.ts";

/** The real session files of public projects (read-only, outside the repo; see its SOURCES.md). */
export const SAMPLES = resolve(import.meta.dir, "..", "..", "..", "shared", "samples");

export interface SessionTree {
  /** Laid out as a home folder: `.claude/projects`, `.codex/sessions`, `.gemini/tmp`. */
  home: string;
  claude: string;
  codex: string;
  gemini: string;
  env: Record<string, string>;
}

/**
 * Copies the samples into `home` the way the agents lay out their files (Gemini sessions
 * renamed into `tmp/<hash>/chats/session-*.json`). Also used by the binary smoke test.
 */
export function layOutSamples(home: string): SessionTree {
  const claude = join(home, ".claude", "projects");
  const codex = join(home, ".codex", "sessions");
  const gemini = join(home, ".gemini", "tmp");
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
  makeWritable(home);
  return { home, claude, codex, gemini, env: sessionEnv(claude, codex, gemini) };
}

/** The samples are read-only (shared/ has no write bits) and cpSync keeps the modes: the copy is made the user's to change and remove. */
function makeWritable(path: string): void {
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) makeWritable(child);
    else if (entry.isFile()) chmodSync(child, 0o644);
  }
  chmodSync(path, 0o755);
}

/** A writable copy of the samples in a temporary home folder, with AI_OBSERVER_*_PATH pointing at it. */
export function sampleTree(): SessionTree {
  return layOutSamples(tempDir("sessions-"));
}

export function sessionEnv(claude: string, codex: string, gemini: string): Record<string, string> {
  return { AI_OBSERVER_CLAUDE_PATH: claude, AI_OBSERVER_CODEX_PATH: codex, AI_OBSERVER_GEMINI_PATH: gemini };
}
