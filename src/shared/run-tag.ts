import { readdirSync, readFileSync, statSync } from "node:fs";
import { uptime } from "node:os";
import { join } from "node:path";
import { removeTree } from "./remove-tree.ts";

/**
 * Which run left a lock or a temporary file, and whether it is gone. A run writes its tag into its output lock and
 * into the names of its temporary folders: its PID, and on Linux the process's start time (`<pid>s<ticks>`), so that
 * a later process that got the same PID is not taken for it. Whatever is older than the machine's last boot is
 * gone too (a power loss, where a reused PID is likeliest), on every platform.
 */

/** When a process started, in clock ticks since boot (Linux, /proc/<pid>/stat field 22); undefined elsewhere or when gone. */
function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // it exists but belongs to someone else
  }
}

let ownTag: string | undefined;

/** This run's tag: read once, as it cannot change while the process runs. */
export function runTag(): string {
  if (ownTag === undefined) {
    const start = startTicks(process.pid);
    ownTag = start ? `${process.pid}s${start}` : String(process.pid);
  }
  return ownTag;
}

const TAG = /^(\d+)(?:s(\d+))?$/;

/** Whether the run of this tag still runs. Not a tag: null. */
export function tagIsAlive(tag: string): boolean | null {
  const match = TAG.exec(tag);
  if (!match) return null;
  const pid = Number(match[1]);
  if (!processIsAlive(pid)) return false;
  const recorded = match[2];
  const current = recorded === undefined ? undefined : startTicks(pid);
  return recorded === undefined || current === undefined || current === recorded;
}

/** Whether `path` was last changed before this machine's last boot (so no running process can be writing it). */
export function fromBeforeBoot(path: string): boolean {
  try {
    return statSync(path).mtimeMs < Date.now() - uptime() * 1000;
  } catch {
    return false;
  }
}

/** Whether the file or folder at `path`, named with the tag `tag`, was left by a run that is gone. */
function leftByGoneRun(path: string, tag: string): boolean {
  if (tag === runTag()) return false;
  return tagIsAlive(tag) === false || fromBeforeBoot(path);
}

/**
 * Removes what runs that are gone (SIGKILL, power loss) left in `folder` under names `<prefix><tag>-…` or
 * `<prefix><tag>`; what cannot be removed stays for the next run. `before` runs first on each (to undo a move).
 */
export function removeLeftovers(folder: string, prefixes: readonly string[], before?: (path: string) => void): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const prefix = prefixes.find((candidate) => name.startsWith(candidate));
    if (prefix === undefined) continue;
    const tag = name.slice(prefix.length).split("-")[0] as string;
    const path = join(folder, name);
    if (!leftByGoneRun(path, tag)) continue;
    try {
      before?.(path);
      removeTree(path);
    } catch {
      // the next run tries again
    }
  }
}
