import { existsSync } from "node:fs";
import type { DayRange } from "../shared/dates.ts";
import type { DatabaseLocation } from "../db/locate.ts";
import type { DuckDBConnection } from "../db/duckdb.ts";
import { DuckDBMemory, type ImportSize, telemetryRowCount } from "../db/duckdb-memory.ts";
import { type InsertedCounts, StagedTables } from "./staged-tables.ts";
import { onInterrupt } from "../shared/interrupts.ts";
import type { ToolId } from "../shared/sources.ts";
import { discoverTools, foundBytes, type ParseProgress, ParseRun } from "../staging/parse-run.ts";
import type { RunSettings } from "../shared/run-settings.ts";
import { addPendingIndexesAfresh, importFailure, openForImport, removeNewDatabase, reopenForImport } from "./open-for-import.ts";
import { prepareIndexesForImport } from "../db/pending-indexes.ts";
import { resourceAttributesJson } from "../shared/origin.ts";
import { recordImport, writePlannedRows } from "./apply-import.ts";
import { readRecordedFiles, type RecordedFiles } from "./file-state.ts";
import { filesToRead, writeFilesCache } from "./files-cache.ts";
import { planTool, type ReadTool, readTool, type ToolPlan, unchangedPlan } from "./plan-import.ts";
import { COMMIT_ROWS, type CommitProgress, type Committer, commitParts, commitWork, mayCommitInParts } from "./commit-parts.ts";
import type { PlanReason } from "./planned-events.ts";
import { StagedRows } from "../staging/staged-rows.ts";

export interface ImportOptions {
  tools: ToolId[];
  range: DayRange;
  location: DatabaseLocation;
  dryRun: boolean;
  force: boolean;
  /** Make the transcript rows too (ParseContext.transcripts). */
  transcripts: boolean;
  yes: boolean;
  /** What the run may use (threads, memory), read at the command. */
  settings: RunSettings;
  /** Recorded on the rows as `host.name` (shared/origin.ts); null: none. */
  hostName: string | null;
}

interface ImportTotals {
  files: { total: number; new: number; modified: number; unchanged: number; forced: number; outdated: number; repricing: number; transcripts: number; failed: number };
  events: { add: number; update: number; forced: number; repaired: number; priced: number; removed: number; alreadyImported: number; outsideRange: number };
  rows: { logs: number; metrics: number };
  /** Rows the Go importer wrote for usage this import counts: removed (go-rows.ts). */
  goRows: { logs: number; metrics: number };
  badLines: number;
  unknownUsage: number;
  unpricedModels: string[];
}

export interface ImportPreview {
  database: string;
  range: DayRange;
  plans: ToolPlan[];
  totals: ImportTotals;
}

export interface ImportHooks extends ParseProgress {
  onPreview?(preview: ImportPreview): void;
  confirm(preview: ImportPreview): Promise<boolean>;
  onApplyStart?(): void;
  /** After each COMMIT but the last of an import in parts (commit-parts.ts); `ms`: that part's time. */
  onPartCommitted?(progress: Readonly<CommitProgress>, ms: number): void;
  onApplyDone?(inserted: { logs: number; metrics: number }, ms: number): void;
}

/** `nothing`: no new usage (files read only had events already imported). */
type ImportStatus = "imported" | "nothing" | "dry-run" | "aborted";

export interface ImportResult {
  status: ImportStatus;
  preview: ImportPreview;
  inserted: { logs: number; metrics: number };
  /** The transactions that committed the rows: more than one for a large import into indexed tables (commit-parts.ts). */
  commits: number;
  /**
   * The database is large and in DuckDB's older storage format (the Go server's), where every import that adds rows
   * rewrites its indexes whole: `upgrade-database` would make its imports fast.
   */
  upgradeAdvised: boolean;
}

/** From this many rows, an import into a database in the older storage format costs seconds (README, "Known limitations"). */
const UPGRADE_ADVISED_ROWS = 1_000_000;

/**
 * `repaired`: replaced because an older parser version made them; `priced`: stored without cost rows, now priced;
 * `removed`: made by an older version, no longer made.
 */
export function eventCounts(plan: ToolPlan): { add: number; update: number; forced: number; repaired: number; priced: number; removed: number } {
  const count = (reason: PlanReason) => plan.events.count(reason);
  return { add: count("new"), update: count("update"), forced: count("forced"), repaired: count("repaired"), priced: count("priced"), removed: plan.obsolete.length };
}

function totalsOf(plans: readonly ToolPlan[]): ImportTotals {
  const totals: ImportTotals = {
    files: { total: 0, new: 0, modified: 0, unchanged: 0, forced: 0, outdated: 0, repricing: 0, transcripts: 0, failed: 0 },
    events: { add: 0, update: 0, forced: 0, repaired: 0, priced: 0, removed: 0, alreadyImported: 0, outsideRange: 0 },
    rows: { logs: 0, metrics: 0 },
    goRows: { logs: 0, metrics: 0 },
    badLines: 0,
    unknownUsage: 0,
    unpricedModels: [],
  };
  const unpriced = new Set<string>();
  for (const plan of plans) {
    for (const key of ["total", "new", "modified", "unchanged", "forced", "outdated", "repricing", "transcripts"] as const) totals.files[key] += plan.files[key];
    totals.files.failed += plan.failed.length;
    const events = eventCounts(plan);
    totals.events.add += events.add;
    totals.events.update += events.update;
    totals.events.forced += events.forced;
    totals.events.repaired += events.repaired;
    totals.events.priced += events.priced;
    totals.events.removed += events.removed;
    totals.events.alreadyImported += plan.alreadyImported;
    totals.events.outsideRange += plan.outsideRange;
    totals.rows.logs += plan.rows.logs;
    totals.rows.metrics += plan.rows.metrics;
    totals.goRows.logs += plan.goRows.logs;
    totals.goRows.metrics += plan.goRows.metrics;
    totals.badLines += plan.badLines;
    totals.unknownUsage += plan.unknownUsage.lines;
    for (const model of plan.unpricedModels) unpriced.add(model);
  }
  totals.unpricedModels = [...unpriced].sort();
  return totals;
}

function nowUtc(): string {
  return new Date().toISOString().replace("T", " ").replace("Z", "");
}

/**
 * Applies the plans with DuckDB's memory bounded step by step (importMemoryLimits), or without a bound when the data
 * needs more: the rows first, while DuckDB's memory is the smallest, then the bookkeeping it holds until the COMMIT.
 * Large imports into tables that keep their indexes commit in parts (commitParts), each part's rows with its events'
 * bookkeeping, the files' with the last, and go on in the database opened afresh (`committer.reopen`): DuckDB keeps the
 * index nodes a COMMIT loaded, and a lower limit cannot be set under them ("could not free up enough memory for the new
 * limit"); under the one the COMMIT had, 1 GB of Gemini sessions into 10 million rows ran out in its third part ("FATAL
 * Error: Failed to rollback transaction"). Every COMMIT, the last too, goes through commitWork. Returns the rows
 * inserted; in `size`, what the last COMMIT added.
 */
async function applyWithinMemory(
  first: DuckDBMemory,
  plans: readonly ToolPlan[],
  rows: StagedRows,
  size: ImportSize,
  indexes: { dropped: boolean },
  parts: { rows: number; progress: CommitProgress; committer: Committer; committed?: (progress: Readonly<CommitProgress>, ms: number) => void },
): Promise<InsertedCounts> {
  let memory = first;
  const { logs, metrics } = totalsOf(plans).rows;
  size.rowsAdded = logs + metrics;
  parts.progress.total = size.rowsAdded;
  const mayBeInParts = mayCommitInParts(size.rowsAdded, plans, parts.rows);
  indexes.dropped = await prepareIndexesForImport(memory.connection, size, mayBeInParts);
  const count = commitParts(size, mayBeInParts, parts.rows);
  await memory.bound("import", logs + metrics);
  const tables = new StagedTables(rows);
  await tables.write(plans);
  const ranges = await tables.timeRanges(memory.connection, count);
  parts.progress.of = ranges.length;
  const importedAt = nowUtc();
  const total = { logs: 0, metrics: 0, events: 0 };
  const part: ImportSize = { ...size, events: Math.ceil(size.events / ranges.length) };
  for (const [i, range] of ranges.entries()) {
    const started = performance.now();
    const last = i === ranges.length - 1;
    const work = (on: DuckDBMemory) =>
      on.retryInTransaction(async () => {
        const { connection } = on;
        const inserted = i === 0 ? await writePlannedRows(connection, plans, tables, range) : await tables.insert(connection, range);
        part.rowsAdded = inserted.logs + inserted.metrics;
        await on.step("bookkeeping", part);
        const events = last ? await recordImport(connection, plans, importedAt, tables, range) : await tables.recordEvents(connection, range);
        if (last) tables.checkInserted({ logs: total.logs + inserted.logs, metrics: total.metrics + inserted.metrics, events: total.events + events });
        return { ...inserted, events };
      });
    const committed = await commitWork(memory, part, parts.committer, work);
    memory = committed.memory;
    total.logs += committed.done.logs;
    total.metrics += committed.done.metrics;
    total.events += committed.done.events;
    if (last) break;
    parts.progress.committed++;
    parts.progress.rows += part.rowsAdded;
    parts.committed?.(parts.progress, performance.now() - started);
    memory = await parts.committer.reopen();
    await memory.connection.run("BEGIN TRANSACTION");
  }
  Object.assign(size, part);
  return { logs: total.logs, metrics: total.metrics };
}

/**
 * Plans and applies in one transaction: the database holds all of this run's rows or none of them, and an interrupted
 * run is completed by the next one. An import of more than `settings.commitRows` rows into tables that keep their
 * indexes commits them in parts (commit-parts.ts): one that fails after some parts is completed by the next run too.
 */
export async function runImport(options: ImportOptions, hooks: ImportHooks): Promise<ImportResult> {
  const found = await discoverTools(options.tools);
  // What a run that adds no rows reports.
  const unapplied = { inserted: { logs: 0, metrics: 0 }, commits: 0, upgradeAdvised: false };
  // Whatever could not be read is reported by a full run, never hidden behind "nothing changed".
  const unreadable = found.some((tool) => tool.failed.length > 0);
  const changes = options.force ? null : filesToRead(options.location.path, found, options.transcripts);
  if (changes?.known && changes.files === 0 && !unreadable) {
    const plans = found.map((tool) => unchangedPlan(tool, options.transcripts));
    return { status: "nothing", preview: { database: options.location.path, range: options.range, plans, totals: totalsOf(plans) }, ...unapplied };
  }
  hooks.onFilesFound?.(changes?.bytes ?? foundBytes(found));
  const createsDatabase = !existsSync(options.location.path) && !options.dryRun;
  const { settings } = options;
  let db = await openForImport(options.location, options.dryRun, settings.threads);
  const { connection } = db;
  const memory = new DuckDBMemory(connection, settings.duckdbMemoryLimit);
  const aborter = new AbortController();
  const stopInterrupting = onInterrupt(() => {
    aborter.abort();
    db.connection.interrupt();
  });
  let open = false;
  const rows = new StagedRows(settings.stagedMemoryBytes, resourceAttributesJson(options.hostName));
  await using run = new ParseRun(settings);
  /** Set once committed: what the files cache beside the database will hold. */
  let recorded: RecordedFiles | undefined;
  const size: ImportSize = { events: 0, rowsBefore: 0, rowsAdded: 0, indexed: true, wholeIndexes: true };
  /** Whether the indexes were dropped for the rows (prepareIndexesForImport): they are pending until made again. */
  const indexes = { dropped: false };
  let committed = false;
  const progress: CommitProgress = { committed: 0, of: 1, rows: 0, total: 0 };
  const parts = {
    rows: settings.commitRows ?? COMMIT_ROWS,
    progress,
    committed: hooks.onPartCommitted,
    committer: {
      raised: 0,
      reopen: async () => {
        db = await reopenForImport(db, options.location, settings.threads);
        const fresh = new DuckDBMemory(db.connection, settings.duckdbMemoryLimit);
        await fresh.bound("import", size.rowsAdded);
        return fresh;
      },
    },
  };
  /** After applyWithinMemory's last COMMIT. */
  const committedAll = async () => {
    open = false;
    committed = true;
    // The staged rows' memory goes back before the indexes are made.
    rows.dispose();
    await addPendingIndexesAfresh(db, options.location, settings.threads, (fresh) => {
      db = fresh;
    });
    recorded = await readRecordedFiles(db.connection);
  };
  try {
    await connection.run("BEGIN TRANSACTION");
    open = true;
    const before = await readRecordedFiles(connection);
    size.rowsBefore = await telemetryRowCount(connection);
    const reads: ReadTool[] = [];
    for (const tool of found) {
      reads.push(await readTool(connection, tool, before, rows, run, { range: options.range, force: options.force, transcripts: options.transcripts, progress: hooks, signal: aborter.signal }));
    }
    // The parse workers' heaps and the parse's garbage go before DuckDB looks the events up, under its bound: 2.38
    // million rows of Gemini sessions into a database holding 1.28 million of the tool's events held ~390 MB after
    // the parse, ~210 MB after this (docs/performance.md, "Imports").
    await run.endWorkers();
    Bun.gc(true);
    await memory.bound("import");
    const plans: ToolPlan[] = [];
    for (const read of reads) plans.push(await planTool(memory, read, rows, { force: options.force, transcripts: options.transcripts }));
    size.events = plans.reduce((sum, plan) => sum + plan.events.size, 0);
    const preview: ImportPreview = { database: db.path, range: options.range, plans, totals: totalsOf(plans) };
    const hasEvents = plans.some((plan) => plan.events.size > 0 || plan.obsolete.length > 0 || plan.goRows.logs + plan.goRows.metrics > 0);
    if (!hasEvents) {
      if (options.dryRun) return { status: "nothing", preview, ...unapplied };
      // Files read without new usage are still recorded, so the next run skips them unread.
      await applyWithinMemory(memory, plans, rows, size, indexes, parts);
      await committedAll();
      return { status: "nothing", preview, ...unapplied };
    }
    hooks.onPreview?.(preview);
    if (options.dryRun) return { status: "dry-run", preview, ...unapplied };
    if (!options.yes && !(await hooks.confirm(preview))) return { status: "aborted", preview, ...unapplied };

    hooks.onApplyStart?.();
    const started = performance.now();
    const inserted = await applyWithinMemory(memory, plans, rows, size, indexes, parts);
    // The storage format, as prepareIndexesForImport read it for the COMMIT's bound.
    const upgradeAdvised = size.rowsBefore >= UPGRADE_ADVISED_ROWS && size.wholeIndexes;
    await committedAll();
    hooks.onApplyDone?.(inserted, performance.now() - started);
    return { status: "imported", preview, inserted, commits: progress.of, upgradeAdvised };
  } catch (error) {
    throw importFailure(error, { indexesDropped: indexes.dropped && !committed, committedParts: committed ? null : progress });
  } finally {
    if (open) await db.connection.run("ROLLBACK").catch(() => undefined);
    stopInterrupting();
    rows.dispose();
    db.close();
    if (createsDatabase && !committed && progress.committed === 0) removeNewDatabase(db.path);
    if (recorded) writeFilesCache(db.path, recorded);
  }
}
