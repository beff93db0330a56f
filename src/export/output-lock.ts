import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../shared/errors.ts";
import { fsReason } from "../shared/fs-errors.ts";
import { fromBeforeBoot, removeLeftovers, runTag, tagIsAlive } from "../shared/run-tag.ts";

const LOCK_FILE = ".ai-observer.lock";
const RETRY_MS = 200;
/** A lock with no tag in it is being written (the tag follows its creation at once), unless it is older than this. */
const UNWRITTEN_GRACE_MS = 10_000;

interface Holder {
  /** The holder's run tag (see run-tag.ts), or null: the file is empty or unreadable. */
  tag: string | null;
  /** What the file held. */
  text: string;
  stale: boolean;
}

function holder(path: string): Holder {
  let text: string;
  let age: number;
  try {
    text = readFileSync(path, "utf8").trim();
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    return { tag: null, text: "", stale: false }; // gone meanwhile, or not readable: try again
  }
  if (fromBeforeBoot(path)) return { tag: text || null, text, stale: true };
  const alive = text ? tagIsAlive(text) : null;
  if (alive === null) return { tag: null, text, stale: age > UNWRITTEN_GRACE_MS }; // empty or garbage: a power loss before it was written
  return { tag: text, text, stale: !alive };
}

/**
 * Removes a stale lock, unless another run replaced it meanwhile: the lock is renamed aside (atomic) and checked;
 * a lock that is not the stale one is put back (a hard link, which never replaces a lock taken since).
 */
function takeOver(path: string, stale: string): void {
  const aside = `${path}.${runTag()}-stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already
  }
  try {
    if (readFileSync(aside, "utf8").trim() !== stale) linkSync(aside, path);
  } catch {
    // a lock was taken since: it stays
  }
  rmSync(aside, { force: true });
}

/** Removes the folder's lock if its run is gone (see `lockOutputFolder`), and what a takeover killed halfway left; a live lock stays. */
export function removeStaleLock(outputDir: string): void {
  const path = join(outputDir, LOCK_FILE);
  removeLeftovers(outputDir, [`${LOCK_FILE}.`]);
  const held = holder(path);
  if (held.stale) takeOver(path, held.text);
}

/**
 * One export at a time per output folder: two cron runs renaming files into the same folder would otherwise mix
 * their files. Waits up to `waitMs`, then fails with the holder's PID. A lock whose run is gone is taken over: its
 * process ended (or another process has its PID now: run-tag.ts), it predates the last boot, or it stayed empty.
 */
export async function lockOutputFolder(outputDir: string, waitMs: number): Promise<() => void> {
  const path = join(outputDir, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${runTag()}\n`);
      closeSync(fd);
      return () => {
        try {
          rmSync(path, { force: true });
        } catch (error) {
          throw new CliError(`the lock file ${path} could not be removed (${fsReason(error)}); remove it by hand`);
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new CliError(`cannot write to output folder ${outputDir}: ${fsReason(error)}`);
      }
    }
    const held = holder(path);
    if (held.stale) {
      takeOver(path, held.text);
      continue;
    }
    if (Date.now() >= deadline) {
      const pid = held.tag ? ` (PID ${Number.parseInt(held.tag, 10)})` : "";
      throw new CliError(`output folder ${outputDir} is in use by another export${pid}; try again when it has finished`);
    }
    await Bun.sleep(RETRY_MS);
  }
}
