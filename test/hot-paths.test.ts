import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { hotPaths } from "../src/staging/hot-paths.ts";

const SRC = join(import.meta.dir, "..", "src");

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(SRC, join(entry.parentPath, entry.name)));
}

test("the hot-path list names functions, each once", () => {
  const functions = hotPaths();
  expect(functions.length).toBeGreaterThan(90);
  for (const fn of functions) expect(typeof fn).toBe("function");
  expect(new Set(functions).size).toBe(functions.length);
});

test("the JIT is tuned in one place: only staging/hot-paths.ts uses bun:jsc's tier controls", () => {
  const tuning = sourceFiles().filter((path) => /noFTL|noInline|optimizeNextInvocation|noOSRExitFuzzing/.test(readFileSync(join(SRC, path), "utf8")));
  expect(tuning).toEqual(["staging/hot-paths.ts"]);
});

test("every thread that parses applies the list: a parse run, each parse worker, the line prefetch's worker", () => {
  for (const path of ["staging/parse-run.ts", "staging/parse-worker.ts", "staging/scan-worker.ts"]) {
    expect({ path, calls: readFileSync(join(SRC, path), "utf8").includes("keepHotPathsOffTopTier()") }).toEqual({ path, calls: true });
  }
});
