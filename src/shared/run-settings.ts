import { threadSetting } from "./threads.ts";

type Env = Record<string, string | undefined>;

/**
 * What a run may use, read once at the command from its flags and environment and handed down; nothing below the
 * commands reads the environment for these.
 */
export interface RunSettings {
  /** `--threads N` or `AI_OBSERVER_THREADS` (threads.ts); null: every core. */
  threads: number | null;
  /** `AI_OBSERVER_PARSE_WORKERS`: the most parse workers, applied whatever the input's size (0: none); null: by size. */
  parseWorkers: number | null;
  /** `AI_OBSERVER_TABLE_WORKERS`: the most workers that write an export's tables, whatever their size (0: none); null: by size and cores. */
  tableWorkers: number | null;
  /** `AI_OBSERVER_LINE_PREFETCH`: `0` never, `1` whatever the size (and every file from the worker); null: by size. */
  linePrefetch: boolean | null;
  /** `AI_OBSERVER_STAGED_MEMORY_MB`: staged rows held in memory before they go to the scratch files; null: the default. */
  stagedMemoryBytes: number | null;
  /** `AI_OBSERVER_MEMORY_LIMIT`: DuckDB's memory for an export or an import (e.g. `300MB`); null: ours (duckdb-memory.ts). */
  duckdbMemoryLimit: string | null;
  /** `AI_OBSERVER_COMMIT_ROWS`: the most rows an import commits at once into tables that keep their indexes (commit-parts.ts); null: ours. */
  commitRows: number | null;
}

/** Every setting at its default (every core, sizes decide). */
export const DEFAULT_RUN_SETTINGS: RunSettings = { threads: null, parseWorkers: null, tableWorkers: null, linePrefetch: null, stagedMemoryBytes: null, duckdbMemoryLimit: null, commitRows: null };

function wholeNumber(text: string | undefined): number | null {
  const value = Number(text?.trim() || Number.NaN);
  return Number.isInteger(value) && value >= 0 ? value : null;
}

/** The run's settings from `--threads` (`threadsFlag`, cac's value) and the environment. */
export function readRunSettings(threadsFlag: unknown, env: Env = process.env): RunSettings {
  const prefetch = env["AI_OBSERVER_LINE_PREFETCH"]?.trim();
  const staged = Number(env["AI_OBSERVER_STAGED_MEMORY_MB"]?.trim() || Number.NaN);
  return {
    threads: threadSetting(threadsFlag, env),
    parseWorkers: wholeNumber(env["AI_OBSERVER_PARSE_WORKERS"]),
    tableWorkers: wholeNumber(env["AI_OBSERVER_TABLE_WORKERS"]),
    linePrefetch: prefetch === "0" ? false : prefetch === "1" ? true : null,
    stagedMemoryBytes: Number.isFinite(staged) && staged >= 0 ? staged * 1048576 : null,
    duckdbMemoryLimit: env["AI_OBSERVER_MEMORY_LIMIT"]?.trim() || null,
    commitRows: wholeNumber(env["AI_OBSERVER_COMMIT_ROWS"]) || null,
  };
}
