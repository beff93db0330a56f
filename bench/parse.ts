/**
 * The parse phase alone: `ParseRun.stage` over a generated tree, for every tool, timed, with a digest of everything
 * it handed on (file facts, events, staged row text; `sha256` is reported separately), so a change to the readers
 * can be checked to give byte-identical results.
 *
 *   bun bench/parse.ts [--size-mb 400] [--seed 1] [--runs 3] [--ref REV] [--tools claude-code,codex,gemini]
 *
 * Diagnostic: it calls `ParseRun.stage` from src/staging/parse-run.ts (`stageFiles` of load-sessions.ts before session 9, under src/sources/ before session 8; revisions before
 * that had `parseFiles`).
 */
import { flagValue } from "./args.ts";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { checkoutRef } from "./run.ts";

const REPO = resolve(import.meta.dir, "..");
const argv = process.argv.slice(2);
const value = (flag: string, fallback: string) => flagValue(flag, fallback, argv);
const sizeMb = Number(value("--size-mb", "400"));
const seed = Number(value("--seed", "1"));
const runs = Number(value("--runs", "3"));
const tools = value("--tools", "claude-code,codex,gemini").split(",");
const ref = argv.includes("--ref") ? value("--ref", "HEAD") : null;
const srcRoot = ref ? checkoutRef(ref).dir : REPO;
const root = join(REPO, "bench", ".data", `tree-${sizeMb}mb-s${seed}`);
process.env["AI_OBSERVER_CLAUDE_PATH"] = join(root, "projects");
process.env["AI_OBSERVER_CODEX_PATH"] = join(root, "sessions");
process.env["AI_OBSERVER_GEMINI_PATH"] = join(root, "tmp");

// The parse's entry moved: src/staging/parse-run.ts (ParseRun.stage, session 9), load-sessions.ts (stageFiles) before,
// under src/sources/ before session 8.
type Stage = (source: unknown, files: unknown, rows: unknown, onStaged: (staged: never) => void) => Promise<unknown>;
const parseRun = join(srcRoot, "src", "staging", "parse-run.ts");
const loadSessions = ["staging", "sources"].map((folder) => join(srcRoot, "src", folder, "load-sessions.ts")).find((path) => existsSync(path));
const entry = existsSync(parseRun) ? await import(parseRun) : await import(loadSessions ?? parseRun);
const { discoverTools } = entry;
const stageFiles: Stage = entry.ParseRun
  ? (() => {
      const run = new entry.ParseRun({ threads: null, parseWorkers: null, linePrefetch: null, stagedMemoryBytes: null, duckdbMemoryLimit: null });
      return (source, files, rows, onStaged) => run.stage(source, files, rows, onStaged);
    })()
  : entry.stageFiles;
const { StagedRows } = await import(join(srcRoot, "src", "staging", "staged-rows.ts"));

let peakRss = 0;
setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 10).unref();

const found = await discoverTools(tools);
for (let run = 1; run <= runs; run++) {
  const line: string[] = [];
  const digest = createHash("sha256");
  const hashes = createHash("sha256");
  let total = 0;
  for (const tool of found) {
    const rows = new StagedRows();
    const started = performance.now();
    const failed = await stageFiles(tool.source, tool.files, rows, (staged: { file: { sha256: string; path: string }; events: unknown; logBytes: Uint8Array; metricBytes: Uint8Array }) => {
      const { sha256, ...facts } = staged.file;
      // An array of records before session 25, StagedEvents since (records in the same shape).
      const events = Array.isArray(staged.events) ? staged.events : (staged.events as { records(): unknown[] }).records();
      digest.update(JSON.stringify({ file: facts, events }));
      digest.update(staged.logBytes);
      digest.update(staged.metricBytes);
      hashes.update(`${facts.path} ${sha256 || "-"}\n`);
    });
    const ms = performance.now() - started;
    rows.dispose();
    total += ms;
    const mb = tool.files.reduce((sum: number, file: { size: number }) => sum + file.size, 0) / 1e6;
    line.push(`${tool.tool} ${tool.files.length} files ${mb.toFixed(0)} MB ${(ms / 1000).toFixed(3)} s`);
    digest.update(JSON.stringify(failed));
  }
  console.log(
    `run ${run}: ${(total / 1000).toFixed(3)} s  (${line.join("; ")})  peak RSS ${(peakRss / 1048576).toFixed(0)} MB  digest ${digest.digest("hex").slice(0, 16)}  sha256s ${hashes.digest("hex").slice(0, 16)}`,
  );
}
process.exit(0);
