import { describe, expect, test } from "bun:test";
import { DEFAULT_RUN_SETTINGS, readRunSettings } from "../src/shared/run-settings.ts";

describe("the run's settings, read once at the command", () => {
  test("defaults without flags or variables", () => {
    expect(readRunSettings(undefined, {})).toEqual(DEFAULT_RUN_SETTINGS);
  });

  test("each variable, and --threads before AI_OBSERVER_THREADS", () => {
    const env = {
      AI_OBSERVER_THREADS: "3",
      AI_OBSERVER_PARSE_WORKERS: " 2 ",
      AI_OBSERVER_TABLE_WORKERS: "4",
      AI_OBSERVER_LINE_PREFETCH: "1",
      AI_OBSERVER_STAGED_MEMORY_MB: "0",
      AI_OBSERVER_MEMORY_LIMIT: "300MB",
      AI_OBSERVER_COMMIT_ROWS: "50000",
    };
    expect(readRunSettings(undefined, env)).toEqual({ threads: 3, parseWorkers: 2, tableWorkers: 4, linePrefetch: true, stagedMemoryBytes: 0, duckdbMemoryLimit: "300MB", commitRows: 50000 });
    expect(readRunSettings("5", env).threads).toBe(5);
    expect(readRunSettings(undefined, { AI_OBSERVER_LINE_PREFETCH: "0", AI_OBSERVER_STAGED_MEMORY_MB: "8" })).toMatchObject({ linePrefetch: false, stagedMemoryBytes: 8 << 20 });
  });

  test("values that are not settings are ignored, as before (bad --threads is a usage error: threads.test.ts)", () => {
    expect(readRunSettings(undefined, { AI_OBSERVER_PARSE_WORKERS: "two", AI_OBSERVER_TABLE_WORKERS: "-1", AI_OBSERVER_LINE_PREFETCH: "yes", AI_OBSERVER_STAGED_MEMORY_MB: "-1", AI_OBSERVER_MEMORY_LIMIT: " ", AI_OBSERVER_COMMIT_ROWS: "0" })).toEqual(DEFAULT_RUN_SETTINGS);
  });
});
