import { lstatSync, readdirSync, rmdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";

const TRANSIENT = new Set(["EBUSY", "ENOTEMPTY", "EPERM"]);
const ATTEMPTS = 4;

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** Runs `remove`; a file that is already gone is no error, a busy one (Windows: a scanner has it open) is tried again. */
function removeOne(remove: () => void): void {
  for (let attempt = 1; ; attempt++) {
    try {
      remove();
      return;
    } catch (error) {
      if (code(error) === "ENOENT") return;
      if (attempt >= ATTEMPTS || !TRANSIENT.has(code(error) ?? "")) throw error;
      Bun.sleepSync(25 * attempt);
    }
  }
}

/**
 * Removes a file, or a folder with everything in it; a path that does not exist is no error. Walks the tree with
 * plain unlink and rmdir instead of `rmSync(path, { recursive: true })`, whose Windows code uses a delete call
 * that Wine lacks (`NtSetInformationFile` class 64: the removal fails with EFAULT there), so that one code path
 * serves every platform. Symbolic links are removed, never followed. Throws the first failure.
 */
export function removeTree(path: string): void {
  let isFolder: boolean;
  try {
    isFolder = lstatSync(path).isDirectory();
  } catch (error) {
    if (code(error) === "ENOENT") return;
    throw error;
  }
  if (!isFolder) return removeOne(() => unlinkSync(path));
  for (const name of readdirSync(path)) removeTree(join(path, name));
  removeOne(() => rmdirSync(path));
}
