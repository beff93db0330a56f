import { lstatSync, realpathSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { CliError } from "../shared/errors.ts";
import { fsReason } from "../shared/fs-errors.ts";
import { holdsDeletedRows } from "./archive-mark.ts";

export interface TargetRules {
  /** `--delete-after`: nothing that exists is ever replaced. */
  deleteAfter: boolean;
  /** The database the rows come from (null: session files): no output may be it or its write-ahead log. */
  database: string | null;
}

function databaseFiles(database: string): string[] {
  return [database, `${database}.wal`].map((path) => resolve(path));
}

/** Whether two paths name one file: the same path once links are resolved, or the same inode (a hard link). */
function sameFile(a: string, b: string): boolean {
  try {
    if (realpathSync(a) === realpathSync(b)) return true;
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** The output folder may not be the database or its write-ahead log (which DuckDB must be able to create). */
function checkOutputFolder(outputDir: string, rules: TargetRules): void {
  if (rules.database === null) return;
  const folder = resolve(outputDir);
  for (const file of databaseFiles(rules.database)) {
    if (folder === file || sameFile(folder, file)) throw new CliError(`the output folder ${outputDir} is the database's own file ${file}; choose another --output`);
  }
}

/**
 * Refuses, naming the path, an export whose files would replace what must never be replaced: the database or its
 * write-ahead log (a database file named like an export file, in the output folder), something that is not a file,
 * any file at all with `--delete-after`, and an archive whose rows an earlier `--delete-after` deleted.
 */
export function checkTargets(outputDir: string, names: readonly string[], rules: TargetRules): void {
  checkOutputFolder(outputDir, rules);
  for (const name of names) {
    const path = join(outputDir, name);
    let stats;
    try {
      stats = lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new CliError(`cannot check ${path}: ${fsReason(error)}`);
    }
    if (rules.database !== null && databaseFiles(rules.database).some((file) => sameFile(path, file))) {
      throw new CliError(`${path} is the database being exported, and the export would replace it; choose another --output`);
    }
    if (!stats.isFile()) throw new CliError(`${path} exists and is not a file, so the export cannot put its file there; move it away or choose another --output`);
    if (rules.deleteAfter) {
      throw new CliError(`${path} exists already, and --delete-after never replaces a file (an earlier archive may be the only copy of its rows); move it away or choose another --output`);
    }
    if (holdsDeletedRows(path)) {
      throw new CliError(`${path} holds rows that an earlier --delete-after deleted from the database, so no export replaces it; move it away or choose another --output`);
    }
  }
}
