import type { FileFailure } from "../sources/types.ts";

const SHOWN = 5;

/**
 * The closing error line of an import or an export from session files that could not read everything (the rest was
 * done): a cron job must not report success while a folder of sessions goes unread until the agent deletes it.
 */
export function unreadableError(failed: readonly FileFailure[], done: "imported" | "exported"): string | null {
  if (failed.length === 0) return null;
  const shown = failed.slice(0, SHOWN).map((failure) => `${failure.path}: ${failure.reason}`);
  const more = failed.length > SHOWN ? `; and ${failed.length - SHOWN} more` : "";
  const what = failed.length === 1 ? "1 session file or folder" : `${failed.length} session files or folders`;
  return `${what} could not be read (the rest was ${done}): ${shown.join("; ")}${more}`;
}
