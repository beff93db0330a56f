import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CliError, errorMessage } from "../shared/errors.ts";
import { fsReason } from "../shared/fs-errors.ts";
import { dropCachedPages, syncFile, syncFolder } from "../shared/fs-durable.ts";
import { removeTree } from "../shared/remove-tree.ts";
import { removeLeftovers, runTag } from "../shared/run-tag.ts";
import { onInterrupt } from "../shared/interrupts.ts";
import { moveIntoPlace, undoInterruptedMove } from "./move-into-place.ts";
import { lockOutputFolder, removeStaleLock } from "./output-lock.ts";

const PREFIX = ".ai-observer-tmp-";
const DEFAULT_OUTPUT_LOCK_WAIT_MS = 5_000;

/** Removes staging folders left by runs that were killed with SIGKILL or lost power, first undoing a move into place they had begun. */
function removeAbandonedStaging(outputDir: string): void {
  removeLeftovers(outputDir, [PREFIX], (staging) => undoInterruptedMove(staging, outputDir));
}

/**
 * What killed runs left in an output folder, undone and removed before an export looks at the folder's files: a
 * move into place they had begun (so that the folder holds the files it held before that run), their staging
 * folders, and their lock. Runs that are alive are not touched.
 */
export function recoverOutputFolder(outputDir: string): void {
  if (!existsSync(outputDir)) return;
  removeAbandonedStaging(outputDir);
  removeStaleLock(outputDir);
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
  /** The folders this run made for the output folder, outermost first (empty: it was there). */
  private readonly createdFolders: string[];
  private readonly unlock: () => void;
  private readonly unregister: () => void;
  private finished = false;

  private constructor(outputDir: string, dir: string, createdFolders: string[], unlock: () => void) {
    this.outputDir = outputDir;
    this.dir = dir;
    this.createdFolders = createdFolders;
    this.unlock = unlock;
    this.unregister = onInterrupt(() => this.discard());
  }

  static async create(outputDir: string, lockWaitMs = DEFAULT_OUTPUT_LOCK_WAIT_MS): Promise<Staging> {
    const created: string[] = [];
    try {
      if (existsSync(outputDir)) {
        if (!statSync(outputDir).isDirectory()) throw new CliError(`output path exists and is not a folder: ${outputDir}`);
      } else {
        const first = mkdirSync(outputDir, { recursive: true }) ?? outputDir;
        for (let folder = resolve(outputDir); ; folder = dirname(folder)) {
          created.unshift(folder);
          if (folder === resolve(first) || dirname(folder) === folder) break;
        }
      }
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`cannot create output folder ${outputDir}: ${fsReason(error)}`);
    }
    let unlock: (() => void) | undefined;
    try {
      unlock = await lockOutputFolder(outputDir, lockWaitMs);
      removeAbandonedStaging(outputDir);
      const dir = mkdtempSync(join(outputDir, `${PREFIX}${runTag()}-`));
      return new Staging(outputDir, dir, created, unlock);
    } catch (error) {
      unlock?.();
      if (created.length > 0) removeTree(created[0] as string);
      if (error instanceof CliError) throw error;
      throw new CliError(`cannot write to output folder ${outputDir}: ${fsReason(error)}`);
    }
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  /**
   * Writes the named files to the disk (before they are moved into place, and rows deleted); `reread`: they are read
   * back next, from the disk: their pages are dropped from the page cache (70 MB of transcripts: ~50 ms, for nothing
   * when no re-read follows).
   */
  sync(names: readonly string[], reread = false): void {
    for (const name of names) {
      syncFile(this.file(name));
      if (reread) dropCachedPages(this.file(name));
    }
    syncFolder(this.dir);
  }

  /**
   * Moves the named files into the output folder, replacing files of the same name, and takes `removals` out of it:
   * all or none (see move-into-place.ts). An output folder this run made is synced into its parent folders too.
   */
  commit(names: readonly string[], removals: readonly string[] = []): string[] {
    const moved = moveIntoPlace(this.dir, this.outputDir, names, removals);
    for (const folder of this.createdFolders) syncFolder(dirname(folder));
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
    if (this.createdFolders.length > 0) {
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
