import * as jsc from "bun:jsc";
import { readdirSync, readFileSync } from "node:fs";
import { setPriority } from "node:os";
import * as columnBuilder from "../parquet/column-builder.ts";
import * as parquetWriter from "../parquet/parquet-writer.ts";
import * as rleHybrid from "../parquet/rle-hybrid.ts";
import * as textChunk from "../parquet/text-chunk.ts";
import * as thriftCompact from "../parquet/thrift-compact.ts";
import * as catalogue from "../pricing/catalogue.ts";
import * as claudePricing from "../pricing/claude.ts";
import * as claudeActivity from "../sources/claude/activity.ts";
import * as claudeLines from "../sources/claude/file-lines.ts";
import * as claudeGitCommit from "../sources/claude/git-commit.ts";
import * as claudeParse from "../sources/claude/parse.ts";
import * as claudeRows from "../sources/claude/to-rows.ts";
import * as claudeTranscript from "../sources/claude/transcript.ts";
import * as attributes from "../sources/shared/attributes.ts";
import * as attribution from "../sources/shared/attribution.ts";
import * as json from "../sources/shared/json.ts";
import * as jsonSkip from "../sources/shared/json-skip.ts";
import * as jsonl from "../sources/shared/jsonl.ts";
import * as largeStrings from "../sources/shared/large-strings.ts";
import * as merge from "../sources/shared/merge.ts";
import * as rows from "../sources/shared/rows.ts";
import * as textArena from "../sources/shared/text-arena.ts";
import * as timestamps from "../sources/shared/timestamps.ts";
import * as chosenEvents from "./chosen-events.ts";
import * as chunkedNumbers from "./chunked-numbers.ts";
import * as fragmentMemory from "./fragment-memory.ts";
import * as rowGroupFill from "./row-group-fill.ts";
import * as rowGroupPlan from "./row-group-plan.ts";
import * as rowShape from "./row-shape.ts";
import * as stagedColumns from "./staged-columns.ts";
import * as stagedEvents from "./staged-events.ts";
import * as stagedFile from "./staged-file.ts";
import * as stagedParquet from "./staged-parquet.ts";
import * as stagedRows from "./staged-rows.ts";

type AnyFunction = (...args: never[]) => unknown;

/**
 * The modules whose code a parse runs per line, per event or per value: the JSONL reader's byte layer and parse, the
 * Claude parser (the bulk of every history) with its transcripts and prices, the shared JSON, time and attribute
 * helpers, the winner among copies, staging, and the Parquet writer's per-value code.
 */
const HOT_MODULES: readonly object[] = [
  jsonl,
  jsonSkip,
  largeStrings,
  json,
  timestamps,
  rows,
  attributes,
  attribution,
  merge,
  textArena,
  claudeLines,
  claudeParse,
  claudeRows,
  claudeTranscript,
  claudeActivity,
  claudeGitCommit,
  claudePricing,
  catalogue,
  stagedFile,
  stagedEvents,
  stagedColumns,
  chosenEvents,
  chunkedNumbers,
  fragmentMemory,
  stagedRows,
  stagedParquet,
  rowShape,
  rowGroupFill,
  rowGroupPlan,
  columnBuilder,
  rleHybrid,
  textChunk,
  thriftCompact,
  parquetWriter,
];

/** Left to the top tier: the byte loops over transcripts' long texts (below). */
const TOP_TIER: ReadonlySet<AnyFunction> = new Set<AnyFunction>([largeStrings.unescapeJson, attributes.GoJsonBytes.prototype.ofUtf8]);

/** A function and, for a class, its methods, getters and setters (on its prototype and on itself). */
function withMethods(fn: AnyFunction): AnyFunction[] {
  const found = [fn];
  for (const owner of [fn.prototype as object | undefined, fn]) {
    if (owner === undefined) continue;
    for (const [name, { value, get, set }] of Object.entries(Object.getOwnPropertyDescriptors(owner))) {
      if (name === "constructor" || name === "prototype") continue;
      for (const member of [value, get, set]) if (typeof member === "function") found.push(member as AnyFunction);
    }
  }
  return found;
}

/** The class of an object made by one of ours (as `PRICES`), not by a builtin; null for anything else. */
function classOf(value: unknown): AnyFunction | null {
  if (typeof value !== "object" || value === null) return null;
  const type = (Object.getPrototypeOf(value) as { constructor?: unknown } | null)?.constructor;
  return typeof type === "function" && !Function.prototype.toString.call(type).includes("[native code]") ? (type as AnyFunction) : null;
}

/**
 * Every function the hot modules export, with every method, getter and setter of the classes they export (and of
 * the objects of ours they export), and the cells of the staged row shapes; not the top-tier loops. A helper a
 * module keeps to itself, a `#` method or a function made per call cannot be reached from here: a hot one is
 * exported, a TypeScript-private method, or a method of a small class (`test/hot-paths.test.ts` runs parses with
 * the tiers' thresholds lowered and fails on any function of ours that reached the top tier).
 */
export function hotPaths(): AnyFunction[] {
  const found = new Set<AnyFunction>();
  for (const module of HOT_MODULES) {
    for (const value of Object.values(module)) {
      const type = typeof value === "function" ? value : classOf(value);
      if (type) for (const fn of withMethods(type as AnyFunction)) found.add(fn);
    }
  }
  for (const column of [...rowShape.LOG_SHAPE.live, ...rowShape.METRIC_SHAPE.live]) found.add(column.cell as AnyFunction);
  return [...found].filter((fn) => !TOP_TIER.has(fn));
}

const noFTL = (jsc as { noFTL?: (fn: AnyFunction) => unknown }).noFTL;

/**
 * Keeps JavaScriptCore's top tier (FTL) off the hot functions of a parse, in the thread that calls it (each thread
 * has its own JIT): the main thread when a `ParseRun` starts, and each parse and line-prefetch worker as it loads.
 * This file is the only place that tunes the JIT.
 *
 * A run is short (about a second for 400 MB of history): compiling these functions with FTL took more CPU than it
 * saved, and on a 2-core machine that compiling competes with the parse and the line prefetch for the second core
 * (docs/performance.md [S3]; measured again in session 11: 0.42 against 0.50 s for the 400 MB export). They
 * stay in the DFG tier, which compiles several times faster. The exceptions, left to FTL, are the byte loops over
 * transcripts' long texts (`unescapeJson` in sources/shared/large-strings.ts, `GoJsonBytes.ofUtf8` in
 * sources/shared/attributes.ts): small functions that run over hundreds of MB, 1.6x faster in FTL
 * (docs/performance.md [S9]).
 *
 * A no-op where `bun:jsc` has no `noFTL`.
 */
export function keepHotPathsOffTopTier(): void {
  if (!noFTL) return;
  for (const fn of hotPaths()) noFTL(fn);
}

/**
 * For a thread whose run parses no transcripts: keeps the byte loops left to the top tier off it too. Without long
 * texts they compiled there for nothing: in the 2 GB usage export the parse workers' FTL compiling took 27 instead of
 * 118 ms, the export 1.925 against 1.985 s (medians of 16). Kept off for every parse, the 400 MB transcripts export
 * took 3.02 against 2.96 s.
 */
export function keepTranscriptLoopsOffTopTier(): void {
  if (!noFTL) return;
  for (const fn of TOP_TIER) noFTL(fn);
}

/** JavaScriptCore's compiler threads, by the names Linux shows for them. */
const COMPILER_THREADS = new Set(["JITWorker", "JSCWarmUp"]);
/** Their niceness (0: as every thread; 19: the least). */
const COMPILER_NICENESS = 10;

/**
 * Lowers the priority of this process's JavaScriptCore compiler threads (Linux; elsewhere, and without /proc, nothing
 * happens), for a parse in this thread with the line prefetch on a second one: on a 2-core machine the compiler threads
 * took the cores from those two, which do the run's work, and the usage export waited. Alternating with the threads as
 * they were, the 400 MB usage export took 0.605 and 0.630 against 0.650 and 0.665 s (medians of 14, the same CPU); the
 * transcripts export, whose parse workers and this thread keep both cores busy, did not gain, so it is not done there
 * (docs/performance.md [S20]). A thread's priority cannot be raised again without privileges: it stays lowered
 * for the process, whose compiling then waits for idle time. On more cores there is idle time.
 */
export function yieldCompilerThreads(): void {
  if (process.platform !== "linux") return;
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      if (COMPILER_THREADS.has(readFileSync(`/proc/self/task/${tid}/comm`, "latin1").trim())) setPriority(Number(tid), COMPILER_NICENESS);
    }
  } catch {
    // no /proc, or a thread that ended meanwhile: the others keep their priority
  }
}
