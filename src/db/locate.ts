import { homeFolder } from "../shared/home.ts";
import { join } from "node:path";
import { UsageError } from "../shared/errors.ts";
import { absolutePath } from "../shared/paths.ts";

const DATABASE_FILE = "ai-observer.duckdb";

type DatabasePathOrigin = "--db" | "AI_OBSERVER_DATABASE_PATH" | "default";

export interface DatabaseLocation {
  path: string;
  origin: DatabasePathOrigin;
}

type Env = Record<string, string | undefined>;

/**
 * The per-user data folder: never the current directory, which under cron is arbitrary.
 * Linux `$XDG_DATA_HOME/ai-observer` (else `~/.local/share/ai-observer`), macOS
 * `~/Library/Application Support/ai-observer`, Windows `%LOCALAPPDATA%\ai-observer`.
 */
export function defaultDataDir(env: Env = process.env, platform: NodeJS.Platform = process.platform, home = homeFolder(env, platform)): string {
  if (platform === "darwin") return join(home, "Library", "Application Support", "ai-observer");
  if (platform === "win32") return join(env.LOCALAPPDATA || join(home, "AppData", "Local"), "ai-observer");
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && xdg.startsWith("/") ? xdg : join(home, ".local", "share"), "ai-observer");
}

export function locateDatabase(flag: string | undefined, env: Env = process.env): DatabaseLocation {
  if (flag === "") throw new UsageError("--db needs a path (without --db, the database is found as README \"Where the database lives\" says)");
  if (flag !== undefined) return { path: absolutePath(flag, "--db"), origin: "--db" };
  const fromEnv = env.AI_OBSERVER_DATABASE_PATH;
  if (fromEnv) return { path: absolutePath(fromEnv, "AI_OBSERVER_DATABASE_PATH"), origin: "AI_OBSERVER_DATABASE_PATH" };
  return { path: join(defaultDataDir(env), DATABASE_FILE), origin: "default" };
}
