import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { CliError, errorMessage } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import { processIsAlive } from "../process-alive.ts";
import { removeTree } from "../remove-tree.ts";
import { onInterrupt } from "../signals.ts";
import { lockOutputFolder } from "./output-lock.ts";

const PREFIX = ".ai-observer-tmp-";
export const DEFAULT_OUTPUT_LOCK_WAIT_MS = 5_000;

/** Removes staging folders left by runs that were killed with SIGKILL or lost power. */
function removeAbandonedStaging(outputDir: string): void {
  for (const name of readdirSync(outputDir)) {
    const pid = Number(/^\.ai-observer-tmp-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !processIsAlive(pid)) removeTree(join(outputDir, name));
  }
}

/** The nearest folder that exists, to report why a new output folder cannot be made. */
function nearestExisting(path: string): string {
  let current = path;
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/**
 * A temporary folder inside the output folder. Files are written there and renamed into
 * place only when everything succeeded; a failure or a signal removes it and leaves earlier
 * files in the output folder untouched.
 */
export class Staging {
  readonly dir: string;
  readonly outputDir: string;
  private readonly createdOutputDir: boolean;
  private readonly unlock: () => void;
  private readonly unregister: () => void;
  private finished = false;

  private constructor(outputDir: string, dir: string, createdOutputDir: boolean, unlock: () => void) {
    this.outputDir = outputDir;
    this.dir = dir;
    this.createdOutputDir = createdOutputDir;
    this.unlock = unlock;
    this.unregister = onInterrupt(() => this.discard());
  }

  static async create(outputDir: string, lockWaitMs = DEFAULT_OUTPUT_LOCK_WAIT_MS): Promise<Staging> {
    let created = false;
    try {
      if (existsSync(outputDir)) {
        if (!statSync(outputDir).isDirectory()) throw new CliError(`output path exists and is not a folder: ${outputDir}`);
      } else {
        mkdirSync(outputDir, { recursive: true });
        created = true;
      }
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`cannot create output folder ${outputDir}: ${fsReason(error)}`);
    }
    let unlock: (() => void) | undefined;
    try {
      unlock = await lockOutputFolder(outputDir, lockWaitMs);
      removeAbandonedStaging(outputDir);
      const dir = mkdtempSync(join(outputDir, `${PREFIX}${process.pid}-`));
      return new Staging(outputDir, dir, created, unlock);
    } catch (error) {
      unlock?.();
      if (created) removeTree(outputDir);
      if (error instanceof CliError) throw error;
      throw new CliError(`cannot write to output folder ${outputDir}: ${fsReason(error)}`);
    }
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  /** Moves the named files into the output folder, replacing files of the same name. */
  commit(names: readonly string[]): string[] {
    const moved: string[] = [];
    for (const name of names) {
      const target = join(this.outputDir, name);
      renameSync(this.file(name), target);
      moved.push(target);
    }
    return moved;
  }

  /**
   * Removes the staging folder, and the output folder too if this run made it and it is empty; the output folder's
   * lock is released whatever happens. Returns why the staging folder could not be removed (the next export into
   * this folder removes it), or null.
   */
  discard(): string | null {
    if (this.finished) return null;
    this.finished = true;
    this.unregister();
    const problems: string[] = [];
    try {
      removeTree(this.dir);
    } catch (error) {
      problems.push(`the temporary folder ${this.dir} could not be removed (${fsReason(error)}); the next export into ${this.outputDir} removes it`);
    }
    try {
      this.unlock();
    } catch (error) {
      problems.push(errorMessage(error));
    }
    if (this.createdOutputDir) {
      try {
        if (readdirSync(this.outputDir).length === 0) rmdirSync(this.outputDir);
      } catch {
        // the folder is someone else's now; leave it
      }
    }
    return problems.length > 0 ? problems.join("; ") : null;
  }
}

/** Fails early, before asking for confirmation, when the output folder cannot be written. */
export function checkOutputTarget(outputDir: string): void {
  if (existsSync(outputDir) && !statSync(outputDir).isDirectory()) {
    throw new CliError(`output path exists and is not a folder: ${outputDir}`);
  }
  const existing = nearestExisting(outputDir);
  if (!statSync(existing).isDirectory()) throw new CliError(`cannot create output folder ${outputDir}: ${existing} is not a folder`);
  try {
    accessSync(existing, constants.W_OK);
  } catch (error) {
    throw new CliError(`cannot write to output folder ${outputDir}: ${fsReason(error)}`);
  }
}
