import { errorMessage, firstLine } from "./errors.ts";

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  ENOTDIR: "a part of the path is not a folder",
  ENOENT: "no such file or folder",
  EEXIST: "already exists",
  EISDIR: "is a folder",
  ENAMETOOLONG: "name too long",
};

const DUCKDB_REASONS: [RegExp, string][] = [
  [/No space left on device/i, "no space left on device"],
  [/Disk quota exceeded/i, "disk quota exceeded"],
  [/Read-only file system/i, "read-only file system"],
  [/Permission denied/i, "permission denied"],
];

/** A short reason for a file-system failure, from a Node error code or a DuckDB IO message. */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && REASONS[code]) return REASONS[code];
  const message = errorMessage(error);
  for (const [pattern, reason] of DUCKDB_REASONS) if (pattern.test(message)) return reason;
  return firstLine(message.replace(/^[A-Za-z ]*Error: /, ""));
}
