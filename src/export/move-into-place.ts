import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CliError } from "../shared/errors.ts";
import { fsReason } from "../shared/fs-errors.ts";
import { syncFile, syncFolder } from "../shared/fs-durable.ts";

/**
 * Moving a run's files from its staging folder into the output folder, all or none. Each file that a new one
 * replaces is first moved aside into the staging folder (`replaced/`), and the staging folder holds a journal of
 * the move while it lasts. A failure puts back every replaced file and takes out every new one moved so far; a
 * run killed meanwhile (SIGKILL, power loss) is undone the same way by the next export into the folder
 * (`undoInterruptedMove`), from the journal. Removing the journal is the moment the new files count; it follows a
 * sync of the output folder, so after a power loss the folder holds either all old files or all new ones.
 */
const JOURNAL = "move-journal.json";
const REPLACED = "replaced";

interface Journal {
  /**
   * The files' names (paths relative to both folders: a lake's partition files lie in subfolders), and for each
   * whether an old file of that name was there (and so was moved aside), and whether it is only removed (moved aside
   * with no new file in its place).
   */
  files: { name: string; replaces: boolean; removes?: boolean }[];
}

function undo(stagingDir: string, outputDir: string, journal: Journal): void {
  for (const { name, replaces } of journal.files) {
    const target = join(outputDir, name);
    const aside = join(stagingDir, REPLACED, name);
    if (replaces && existsSync(aside)) renameSync(aside, target);
    else if (!replaces && existsSync(target) && !existsSync(join(stagingDir, name))) renameSync(target, join(stagingDir, name));
  }
  for (const folder of new Set(journal.files.map(({ name }) => dirname(join(outputDir, name))))) {
    if (existsSync(folder)) syncFolder(folder);
  }
}

/** The folders whose entries the move changed: each file's folder, and the folders above it up to the output folder (made for it, perhaps). */
function foldersToSync(outputDir: string, journal: Journal): Set<string> {
  const folders = new Set<string>([outputDir]);
  for (const { name } of journal.files) {
    for (let folder = dirname(join(outputDir, name)); folder.length > outputDir.length && !folders.has(folder); folder = dirname(folder)) folders.add(folder);
  }
  return folders;
}

/** Whether a file is at `path`; what is there and is no file (a folder) is never moved aside, but refused. */
function replacesFile(path: string): boolean {
  let stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new CliError(`cannot move the export's file into place at ${path}: ${fsReason(error)}; nothing was moved`);
  }
  if (!stats.isFile()) throw new CliError(`cannot move the export's file into place at ${path}: it exists and is not a file; nothing was moved`);
  return true;
}

/**
 * Moves `names` from `stagingDir` into `outputDir` as one step, and takes `removals` (files of the output folder) out
 * of it in the same step; returns the paths now in the output folder. Names may lie in subfolders, which are made as
 * needed (and left in place).
 */
export function moveIntoPlace(stagingDir: string, outputDir: string, names: readonly string[], removals: readonly string[] = []): string[] {
  const journal: Journal = {
    files: [
      ...names.map((name) => ({ name, replaces: replacesFile(join(outputDir, name)) })),
      ...removals.filter((name) => replacesFile(join(outputDir, name))).map((name) => ({ name, replaces: true, removes: true })),
    ],
  };
  const journalPath = join(stagingDir, JOURNAL);
  mkdirSync(join(stagingDir, REPLACED), { recursive: true });
  for (const { name, replaces, removes } of journal.files) {
    if (replaces) mkdirSync(dirname(join(stagingDir, REPLACED, name)), { recursive: true });
    if (!removes) mkdirSync(dirname(join(outputDir, name)), { recursive: true });
  }
  writeFileSync(journalPath, JSON.stringify(journal));
  syncFile(journalPath);
  syncFolder(stagingDir);
  let current = "";
  try {
    for (const { name, replaces, removes } of journal.files) {
      current = join(outputDir, name);
      if (replaces) renameSync(current, join(stagingDir, REPLACED, name));
      if (!removes) renameSync(join(stagingDir, name), current);
    }
    for (const folder of foldersToSync(outputDir, journal)) syncFolder(folder);
  } catch (error) {
    let undone = "every file was put back";
    try {
      undo(stagingDir, outputDir, journal);
    } catch (undoError) {
      undone = `putting the earlier files back failed too (${fsReason(undoError)}); the next export into ${outputDir} puts them back`;
    }
    throw new CliError(`cannot move the export's file into place at ${current}: ${fsReason(error)}; ${undone}`);
  }
  unlinkSync(journalPath);
  syncFolder(stagingDir);
  return journal.files.filter(({ removes }) => !removes).map(({ name }) => join(outputDir, name));
}

/** For the staging folder of a run that is gone: puts back the files its interrupted move had replaced. */
export function undoInterruptedMove(stagingDir: string, outputDir: string): void {
  const journalPath = join(stagingDir, JOURNAL);
  if (!existsSync(journalPath)) return;
  let journal: Journal;
  try {
    journal = JSON.parse(readFileSync(journalPath, "utf8")) as Journal;
  } catch {
    return; // written and synced before any file moved: unreadable means no file moved
  }
  undo(stagingDir, outputDir, journal);
}
