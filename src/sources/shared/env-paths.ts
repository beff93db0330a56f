/** A comma-separated list from the environment: parts trimmed, empty parts dropped (so `""` never means cwd). */
export function splitPathList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** Keeps the first occurrence of each path. */
export function uniquePaths(paths: string[]): string[] {
  return [...new Set(paths)];
}
