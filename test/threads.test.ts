import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { fewerThreads } from "../src/db/duckdb-memory.ts";
import type { DuckDBConnection } from "../src/db/duckdb.ts";
import { openMemoryDatabase } from "../src/db/open.ts";
import { completePendingIndexes } from "../src/db/pending-indexes.ts";
import { queryNumber } from "../src/db/query-number.ts";
import { UsageError } from "../src/shared/errors.ts";
import { threadSetting } from "../src/shared/threads.ts";
import { runCli } from "./helpers/run-cli.ts";
import { sampleTree } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

setDefaultTimeout(120_000);

describe("--threads / AI_OBSERVER_THREADS", () => {
  test("the flag, else the environment, else every core; anything but a whole number from 1 is a usage error", () => {
    expect(threadSetting(undefined, {})).toBeNull();
    expect(threadSetting(undefined, { AI_OBSERVER_THREADS: " 3 " })).toBe(3);
    expect(threadSetting("2", { AI_OBSERVER_THREADS: "3" })).toBe(2);
    expect(threadSetting(16, {})).toBe(16);
    expect(threadSetting(undefined, { AI_OBSERVER_THREADS: "" })).toBeNull();
    for (const bad of ["0", "-1", "1.5", "two", "1e3"]) {
      expect(() => threadSetting(bad, {})).toThrow(new UsageError(`--threads must be a whole number of threads, 1 or more (got "${bad}")`));
    }
    expect(() => threadSetting(undefined, { AI_OBSERVER_THREADS: "0" })).toThrow(new UsageError('AI_OBSERVER_THREADS must be a whole number of threads, 1 or more (got "0")'));
    expect(() => threadSetting(true, {})).toThrow(new UsageError("--threads needs a number of threads (1 or more)"));
  });

  test("DuckDB gets the setting, at most 4 threads (each holds its own buffers)", async () => {
    const threadsOf = async (setting: number | null) => {
      const db = await openMemoryDatabase(":memory:", setting);
      try {
        return Number((await db.connection.runAndReadAll("SELECT current_setting('threads') AS threads")).getRows()[0]?.[0]);
      } finally {
        db.close();
      }
    };
    expect(await threadsOf(3)).toBe(3);
    expect(await threadsOf(1)).toBe(1);
    expect(await threadsOf(16)).toBe(4);
    expect(await threadsOf(null)).toBe(Math.min(4, navigator.hardwareConcurrency));
  });

  test("the indexes over large tables are made on at most 2 of DuckDB's threads, which come back afterwards", async () => {
    const threadsAfter = async (work: (connection: DuckDBConnection) => Promise<unknown>) => {
      const db = await openMemoryDatabase(":memory:", 16);
      try {
        await work(db.connection);
        return await queryNumber(db.connection, "SELECT current_setting('threads')::INTEGER");
      } finally {
        db.close();
      }
    };
    expect(await threadsAfter(fewerThreads)).toBe(2);
    let during = 0;
    const after = await threadsAfter(async (connection) => {
      await connection.run("INSERT INTO ai_observer_pending (work) VALUES ('indexes')");
      const run = connection.run.bind(connection);
      connection.run = async (...args: Parameters<DuckDBConnection["run"]>) => {
        if (args[0].startsWith("CREATE INDEX")) during = await queryNumber(connection, "SELECT current_setting('threads')::INTEGER");
        return run(...args);
      };
      await completePendingIndexes(connection);
    });
    expect([during, after]).toEqual([2, 4]);
  });

  test("--threads 1 parses every file in the command's own thread, even where workers are forced; a bad value exits 2", async () => {
    const tree = sampleTree();
    const env = { ...tree.env, AI_OBSERVER_PARSE_WORKERS: "2" };
    const run = (threads: string, out: string) => runCli(["export", "all", "--from-files", "--threads", threads, "--verbose", "--output", join(tempDir("threads-"), out), "--yes"], { env });
    const one = await run("1", "one");
    expect([one.exitCode, one.stderr]).toEqual([0, ""]);
    const fileLines = (stdout: string) => stdout.split("\n").filter((line) => line.startsWith("  ["));
    expect(fileLines(one.stdout).length).toBeGreaterThan(3);
    expect(fileLines(one.stdout).some((line) => line.includes("worker"))).toBe(false);
    const two = await run("2", "two");
    expect(two.exitCode).toBe(0);
    expect(fileLines(two.stdout).some((line) => line.endsWith("(parse worker)"))).toBe(true);
    const bad = await run("0", "bad");
    expect([bad.exitCode, bad.stderr]).toEqual([2, 'error: --threads must be a whole number of threads, 1 or more (got "0")\n']);
  });
});
