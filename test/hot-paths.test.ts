import { expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { hotPaths } from "../src/staging/hot-paths.ts";
import { REPO_ROOT, spawnCli } from "./helpers/run-cli.ts";
import { tempDir } from "./helpers/temp.ts";

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

test("every thread that parses or writes staged rows applies the list: a parse run, each parse worker, the line prefetch's worker, each table worker", () => {
  for (const path of ["staging/parse-run.ts", "staging/parse-worker.ts", "staging/scan-worker.ts", "staging/table-worker.ts"]) {
    expect({ path, calls: readFileSync(join(SRC, path), "utf8").includes("keepHotPathsOffTopTier()") }).toEqual({ path, calls: true });
  }
});

test("a parse here with the line prefetch puts the compiler threads after the others (Linux): theirs lowered, this thread's kept", () => {
  if (process.platform !== "linux") {
    console.log("skipped: thread priorities are read from /proc, which only Linux has");
    return;
  }
  // In a process of its own: a thread's priority cannot be raised again.
  const script = `
    import { readdirSync, readFileSync } from "node:fs";
    import { yieldCompilerThreads } from ${JSON.stringify(join(SRC, "staging", "hot-paths.ts"))};
    let sum = 0;
    for (let i = 0; i < 2e6; i++) sum += Math.sqrt(i) | 0; // work for the compiler threads to start on
    yieldCompilerThreads();
    const threads = readdirSync("/proc/self/task").map((tid) => {
      const stat = readFileSync("/proc/self/task/" + tid + "/stat", "latin1");
      return { name: readFileSync("/proc/self/task/" + tid + "/comm", "latin1").trim(), nice: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]), main: Number(tid) === process.pid };
    });
    console.log(JSON.stringify({ sum: sum > 0, threads }));`;
  const run = Bun.spawnSync([process.execPath, "--eval", script], { stdout: "pipe", stderr: "pipe" });
  expect(run.stderr.toString()).toBe("");
  const { threads } = JSON.parse(run.stdout.toString()) as { threads: { name: string; nice: number; main: boolean }[] };
  const compilers = threads.filter((thread) => thread.name === "JITWorker" || thread.name === "JSCWarmUp");
  expect(compilers.length).toBeGreaterThan(0);
  expect(compilers.every((thread) => thread.nice === 10)).toBe(true);
  expect(threads.filter((thread) => thread.main).map((thread) => thread.nice)).toEqual([0]);
});

test("the compiler threads yield only where this thread parses with the line prefetch: not for parse workers", () => {
  const parseRun = readFileSync(join(SRC, "staging", "parse-run.ts"), "utf8");
  expect(parseRun.match(/yieldCompilerThreads\(\)/g)?.length).toBe(1);
  const warmUp = parseRun.slice(parseRun.indexOf("  warmUp("), parseRun.indexOf("  async stage("));
  expect(warmUp).toContain("prefetchMayBeUsed");
  expect(warmUp).toContain("yieldCompilerThreads()");
});

/** JavaScriptCore's and Bun's own JavaScript (builtins, iterators, the bundler's helpers): not ours to list. */
const RUNTIME_FUNCTIONS = new Set(["next", "arrayIteratorNextHelper", "some", "every", "filter", "map", "reduce", "forEach", "setName", "require"]);

/** Whether `name` is declared as a function, method or arrow function somewhere under src/. */
function declaredInSource(name: string, sources: readonly string[]): boolean {
  const n = name.replace(/[$]/g, "\\$");
  const declaration = new RegExp(`\\bfunction\\s+${n}\\s*[(<]|^\\s*(?:static\\s+|private\\s+|async\\s+|get\\s+|set\\s+)*#?${n}\\s*[(<]|\\b${n}\\s*[:=]\\s*(?:async\\s*)?\\([^)]*\\)\\s*(?::[^=]*)?=>`, "m");
  return sources.some((text) => declaration.test(text));
}

test(
  "no function of ours reaches the top tier in a Claude export, with transcripts and without, on this thread and on parse workers (the tiers' thresholds lowered), but the byte loops left to it",
  async () => {
    const dir = tempDir("hot-paths-");
    try {
      const tree = join(dir, "tree");
      const generated = Bun.spawnSync(["bun", join(REPO_ROOT, "bench", "generate.ts"), "--out", tree, "--claude-mb", "4"], { stdout: "pipe", stderr: "pipe" });
      expect(generated.exitCode).toBe(0);
      const sources = sourceFiles().map((path) => readFileSync(join(SRC, path), "utf8"));
      const reached = new Map<string, string>();
      for (const transcripts of [false, true]) {
        for (const parseWorkers of ["0", "2"]) {
          const run = await spawnCli(["export", "claude-code", "--from-files", ...(transcripts ? [] : ["--no-transcripts"]), "--output", join(dir, `out-${transcripts}-${parseWorkers}`), "--yes", "--json"], {
            env: {
              AI_OBSERVER_CLAUDE_PATH: join(tree, "projects"),
              AI_OBSERVER_PARSE_WORKERS: parseWorkers,
              BUN_JSC_reportFTLCompileTimes: "1",
              BUN_JSC_thresholdForOptimizeAfterWarmUp: "100",
              BUN_JSC_thresholdForFTLOptimizeAfterWarmUp: "500",
              BUN_JSC_thresholdForFTLOptimizeSoon: "50",
            },
          });
          expect(run.exitCode).toBe(0);
          for (const [, name] of run.stderr.matchAll(/^Optimized ([^#:\s]*)#/gm)) reached.set(name as string, `transcripts ${transcripts}, parse workers ${parseWorkers}`);
        }
      }
      // The report names what FTL compiled: there must be some (the byte loops), or the check proves nothing.
      expect(reached.has("unescapeJson")).toBe(true);
      // Not counted: the byte loops left to the top tier, and the listing itself (it runs once per thread, and reaches
      // the top tier only with the thresholds lowered).
      const exempt = new Set(["unescapeJson", "ofUtf8", "hotPaths", "withMethods", "classOf", "keepHotPathsOffTopTier"]);
      const ours = [...reached].filter(([name]) => name !== "" && !RUNTIME_FUNCTIONS.has(name) && !exempt.has(name) && declaredInSource(name, sources));
      expect(ours).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  60_000,
);

test("a thread whose run parses no transcripts keeps the transcripts' byte loops off the top tier too; a parse worker does so for such a run", () => {
  const reached = (offToo: boolean): boolean => {
    const script = `
      import { GoJsonBytes } from ${JSON.stringify(join(SRC, "sources", "shared", "attributes.ts"))};
      import { keepHotPathsOffTopTier, keepTranscriptLoopsOffTopTier } from ${JSON.stringify(join(SRC, "staging", "hot-paths.ts"))};
      keepHotPathsOffTopTier();
      if (${offToo}) keepTranscriptLoopsOffTopTier();
      const bytes = new GoJsonBytes();
      let length = 0;
      for (let i = 0; i < 200000; i++) length += bytes.of("caf\\u00e9 \\"" + i + "\\"\\n").length;
      console.log(length);`;
    const run = Bun.spawnSync([process.execPath, "--eval", script], {
      env: { ...process.env, BUN_JSC_reportFTLCompileTimes: "1", BUN_JSC_thresholdForFTLOptimizeAfterWarmUp: "500", BUN_JSC_thresholdForFTLOptimizeSoon: "50" },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(run.exitCode).toBe(0);
    return /^Optimized ofUtf8#/m.test(run.stderr.toString());
  };
  expect(reached(false)).toBe(true);
  expect(reached(true)).toBe(false);
  const worker = readFileSync(join(SRC, "staging", "parse-worker.ts"), "utf8");
  expect(worker).toMatch(/if \(!transcripts && !transcriptLoopsOffTopTier\) \{\s*keepTranscriptLoopsOffTopTier\(\);/);
});
