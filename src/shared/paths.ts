import { isAbsolute, resolve } from "node:path";
import { UsageError } from "./errors.ts";

/**
 * `path` made absolute against the working folder. When that folder was deleted, `process.cwd()` fails and
 * `path.resolve` would silently use Bun's own folder (a database created there, say): a usage error instead.
 */
export function absolutePath(path: string, flag: string): string {
  if (isAbsolute(path)) return path;
  let cwd: string;
  try {
    cwd = process.cwd();
  } catch {
    throw new UsageError(`the current folder no longer exists, so the relative path ${path} of ${flag} cannot be found; cd into a folder that exists, or give an absolute path`);
  }
  return resolve(cwd, path);
}
