import { homedir } from "node:os";

/**
 * The user's home folder: `$HOME` (`%USERPROFILE%` on Windows), read when asked, as Node's `os.homedir()` reads it
 * (Bun's keeps the value the process started with); the system's record when it is unset.
 */
export function homeFolder(env: Record<string, string | undefined> = process.env, platform: NodeJS.Platform = process.platform): string {
  return (platform === "win32" ? env.USERPROFILE : env.HOME) || homedir();
}
