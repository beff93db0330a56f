import { homeFolder } from "./home.ts";
import { join } from "node:path";

/**
 * The per-user cache folder, following each OS's convention (DuckDB's library of a compiled
 * executable, the views database template). `AI_OBSERVER_CACHE_DIR` overrides it.
 */
export function cacheRoot(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homeFolder(env, platform),
): string {
  if (env.AI_OBSERVER_CACHE_DIR) return env.AI_OBSERVER_CACHE_DIR;
  if (platform === "win32") return join(env.LOCALAPPDATA || join(home, "AppData", "Local"), "ai-observer", "Cache");
  if (platform === "darwin") return join(home, "Library", "Caches", "ai-observer");
  return join(env.XDG_CACHE_HOME || join(home, ".cache"), "ai-observer");
}
