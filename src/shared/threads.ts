import { UsageError } from "./errors.ts";

/**
 * How many threads a run may use, read once at the command: `--threads N`, else `AI_OBSERVER_THREADS`, else null
 * (the machine's cores). It bounds the parse workers, the line prefetch, the compression of Parquet pages and
 * DuckDB's threads, e.g. to keep a nightly cron job gentle.
 */
export function threadSetting(flag: unknown, env: Record<string, string | undefined> = process.env): number | null {
  const fromFlag = flag !== undefined && flag !== true;
  const text = fromFlag ? String(flag).trim() : env["AI_OBSERVER_THREADS"]?.trim();
  if (text === undefined || text === "") {
    if (flag === true) throw new UsageError("--threads needs a number of threads (1 or more)");
    return null;
  }
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${fromFlag ? "--threads" : "AI_OBSERVER_THREADS"} must be a whole number of threads, 1 or more (got "${text}")`);
  }
  return value;
}
