import * as jsc from "bun:jsc";
import { readdirSync, readFileSync } from "node:fs";
import { setPriority } from "node:os";
import * as columnBuilder from "../parquet/column-builder.ts";
import * as rleHybrid from "../parquet/rle-hybrid.ts";
import * as textChunk from "../parquet/text-chunk.ts";
import * as claudePricing from "../pricing/claude.ts";
import * as claudeLines from "../sources/claude/file-lines.ts";
import * as claudeParse from "../sources/claude/parse.ts";
import * as claudeRows from "../sources/claude/to-rows.ts";
import * as attributes from "../sources/shared/attributes.ts";
import * as json from "../sources/shared/json.ts";
import * as jsonSkip from "../sources/shared/json-skip.ts";
import * as jsonl from "../sources/shared/jsonl.ts";
import * as largeStrings from "../sources/shared/large-strings.ts";
import * as merge from "../sources/shared/merge.ts";
import * as rows from "../sources/shared/rows.ts";
import * as timestamps from "../sources/shared/timestamps.ts";
import * as rowGroupFill from "./row-group-fill.ts";
import * as rowGroupPlan from "./row-group-plan.ts";
import * as rowShape from "./row-shape.ts";
import * as stagedColumns from "./staged-columns.ts";
import * as stagedEvents from "./staged-events.ts";
import * as stagedFile from "./staged-file.ts";
import * as stagedParquet from "./staged-parquet.ts";

type AnyFunction = (...args: never[]) => unknown;

/**
 * The functions a parse runs per line, per event or per value: the JSONL reader's byte layer and parse, the Claude
 * parser (the bulk of every history), the shared JSON, time and attribute helpers, staging, and the Parquet
 * writer's per-value code.
 */
export function hotPaths(): AnyFunction[] {
  const methods = <T extends { prototype: object }>(type: T, ...names: (keyof T["prototype"] & string)[]): AnyFunction[] =>
    names.map((name) => (type.prototype as Record<string, AnyFunction>)[name] as AnyFunction);
  return [
    // sources/shared: the JSONL reader
    jsonl.isSpace,
    jsonl.trim,
    jsonl.forEachPiece,
    jsonl.onlyNulsAndBlanks,
    jsonl.foundIn,
    jsonl.wants,
    jsonl.selectLines,
    jsonl.selectInChunk,
    jsonl.elidedText,
    jsonl.replay,
    jsonl.scanJsonl,
    ...methods(jsonl.LongLine, "add"),
    ...methods(jsonl.ChunkSearch, "scan", "line", "nulIn"),
    ...methods(jsonl.LineTally, "ended", "brokenLine"),
    ...methods(jsonl.ParsedPieces, "piece", "parse"),
    ...methods(jsonl.PieceCollector, "piece"),
    ...methods(largeStrings.LargeStrings, "parse", "text"),
    jsonSkip.valueEnd,
    jsonSkip.stringEnd,
    // sources/shared: values, times, rows, attributes, the winner among copies
    json.parseLatin1Text,
    json.parseLatin1,
    json.allAscii,
    json.latin1ToUtf8,
    json.str,
    json.num,
    json.optNum,
    json.obj,
    json.isObject,
    timestamps.parseUtcFast,
    timestamps.digits,
    timestamps.parseTimestamp,
    timestamps.textMicros,
    timestamps.daysFromCivil,
    rows.logRow,
    rows.metricRow,
    rows.putIfSet,
    attributes.keyOrder,
    attributes.sameKeys,
    attributes.writeJsonString,
    attributes.orderedValues,
    attributes.writePairs,
    ...methods(attributes.AttributeJsonWriter, "push"),
    ...methods(attributes.GoJsonBytes, "of"),
    merge.outranks,
    merge.outranksCopy,
    ...methods(merge.EventSet, "add"),
    // sources/claude and its prices
    ...methods(claudeLines.ClaudeFileUsage, "add", "line"),
    ...methods(claudeLines.ClaudeUsageLines, "record", "recordLatin1"),
    ...methods(claudeLines.ClaudeTranscriptLines, "record"),
    claudeParse.toClaudeResponse,
    claudeParse.addResponse,
    claudeParse.fromLatin1,
    claudeParse.cacheCreationTokens,
    claudeParse.responseKey,
    claudeParse.positiveSum,
    claudeParse.usageOf,
    claudeParse.readIterations,
    claudeRows.claudeEvent,
    claudeRows.tokenRows,
    claudeRows.costRows,
    claudeRows.hasTokens,
    claudePricing.calculateClaudeCost,
    claudePricing.claudeCostWithMode,
    // staging
    stagedFile.rowService,
    stagedFile.rowUnit,
    stagedFile.stageEvent,
    stagedFile.stageFile,
    ...methods(stagedEvents.StagedEventsBuilder, "add"),
    ...methods(stagedColumns.StagedColumnsBuilder, "addEvent"),
    ...methods(stagedColumns.StagedColumns, "rowStart", "byteStart", "plainStart", "base"),
    rowShape.repeated,
    ...new Set([...rowShape.LOG_SHAPE.live, ...rowShape.METRIC_SHAPE.live].map((column) => column.cell as AnyFunction)),
    ...methods(stagedParquet.StagedTableWriter, "append"),
    rowGroupFill.appendTextEmptyAsNull,
    rowGroupFill.fillRun,
    ...methods(rowGroupPlan.RowGroupPlanner, "plan"),
    rowGroupPlan.widest,
    // parquet: the column writer
    ...methods(
      columnBuilder.ColumnBuilder,
      "pushNumber",
      "pushBytes",
      "pushText",
      "beginText",
      "appendBytes",
      "appendQuotedAscii",
      "appendFromPrevious",
      "endText",
      "pushRepeated",
      "appendPlain",
      "appendFrontCoded",
    ),
    columnBuilder.readInt64LE,
    columnBuilder.writeInt64LE,
    rleHybrid.writeRleRun,
    rleHybrid.rleRuns,
    rleHybrid.bitPacked,
    textChunk.textChunk,
    textChunk.dictionaryIndices,
    textChunk.sameBytes,
    textChunk.bytesHash,
  ];
}

const noFTL = (jsc as { noFTL?: (fn: AnyFunction) => unknown }).noFTL;

/**
 * Keeps JavaScriptCore's top tier (FTL) off the hot functions of a parse, in the thread that calls it (each thread
 * has its own JIT): the main thread when a `ParseRun` starts, and each parse and line-prefetch worker as it loads.
 * This list is the only place that tunes the JIT.
 *
 * A run is short (about a second for 400 MB of history): compiling these functions with FTL took more CPU than it
 * saved, and on a 2-core machine that compiling competes with the parse and the line prefetch for the second core
 * (docs/performance.md [S3]; measured again in session 11: 0.42 against 0.50 s for the 400 MB export). They
 * stay in the DFG tier, which compiles several times faster. The exceptions, left to FTL, are the byte loops over
 * transcripts' long texts (`unescapeJson` in sources/shared/large-strings.ts, `GoJsonBytes.ofUtf8` in
 * sources/shared/attributes.ts): small functions that run over hundreds of MB, 1.6x faster in FTL
 * (docs/performance.md [S9]). A function created per call cannot be listed: the hot ones are methods of
 * classes instead (the reader's `ChunkSearch`, `ParsedPieces`, the Claude parser's `ClaudeUsageLines`).
 *
 * A no-op where `bun:jsc` has no `noFTL`.
 */
export function keepHotPathsOffTopTier(): void {
  if (!noFTL) return;
  for (const fn of hotPaths()) noFTL(fn);
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
