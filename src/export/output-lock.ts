import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import { processIsAlive } from "../process-alive.ts";

const LOCK_FILE = ".ai-observer.lock";
const RETRY_MS = 200;

function holderPid(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    return Number.isFinite(pid) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * One export at a time per output folder: two cron runs renaming files into the same folder
 * would otherwise mix their files. Waits up to `waitMs`, then fails with the holder's PID.
 * A lock whose process is gone is taken over.
 */
export async function lockOutputFolder(outputDir: string, waitMs: number): Promise<() => void> {
  const path = join(outputDir, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
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
    const pid = holderPid(path);
    if (pid !== null && !processIsAlive(pid)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new CliError(`output folder ${outputDir} is in use by another export${pid ? ` (PID ${pid})` : ""}; try again when it has finished`);
    }
    await Bun.sleep(RETRY_MS);
  }
}
