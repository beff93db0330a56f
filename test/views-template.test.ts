import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { queryViewsDatabase } from "./helpers/duckdb-read.ts";
import { runCli } from "./helpers/run-cli.ts";
import { sampleTree } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

setDefaultTimeout(120_000);

const VIEWS_DB = "ai-observer-export-claude-code-all.duckdb";

async function counts(dir: string): Promise<Record<string, unknown>> {
  const { row, stderr } = queryViewsDatabase(dir, VIEWS_DB, "SELECT (SELECT count(*) FROM traces), (SELECT count(*) FROM logs), (SELECT count(*) FROM metrics)");
  expect(stderr).toBe("");
  const [traces, logs, metrics] = row;
  return { traces, logs, metrics };
}

describe("the views database template in the cache folder", () => {
  test("made by the first export, copied by the next; a damaged one is made again", async () => {
    const tree = sampleTree();
    const cache = tempDir("cache-");
    const env = { ...tree.env, AI_OBSERVER_CACHE_DIR: cache };
    const export1 = tempDir("first-");
    expect((await runCli(["export", "claude-code", "--from-files", "--output", export1, "--yes"], { env })).exitCode).toBe(0);
    const templates = readdirSync(cache).filter((name) => name.startsWith("views-duckdb-") && name.endsWith(".duckdb"));
    expect(templates).toHaveLength(1);
    const template = join(cache, templates[0] as string);
    const expected = await counts(export1);
    expect(Number(expected.logs)).toBeGreaterThan(0);

    const made = statSync(template).mtimeMs;
    const export2 = tempDir("second-");
    expect((await runCli(["export", "claude-code", "--from-files", "--output", export2, "--yes"], { env })).exitCode).toBe(0);
    expect(statSync(template).mtimeMs).toBe(made);
    expect(readFileSync(join(export2, VIEWS_DB)).equals(readFileSync(template))).toBe(true);
    expect(await counts(export2)).toEqual(expected);

    writeFileSync(template, "not a database");
    const export3 = tempDir("third-");
    expect((await runCli(["export", "claude-code", "--from-files", "--output", export3, "--yes"], { env })).exitCode).toBe(0);
    expect(await counts(export3)).toEqual(expected);
    expect(readFileSync(template).subarray(8, 12).toString()).toBe("DUCK");
  });

  test("a cache folder that cannot be written: every export makes its own", async () => {
    const tree = sampleTree();
    const blocked = join(tempDir("cache-"), "file");
    writeFileSync(blocked, "a file where the cache folder would be");
    const out = tempDir("out-");
    const run = await runCli(["export", "claude-code", "--from-files", "--output", out, "--yes"], { env: { ...tree.env, AI_OBSERVER_CACHE_DIR: join(blocked, "sub") } });
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    expect(Number((await counts(out)).metrics)).toBeGreaterThan(0);
  });
});
