import { statSync } from "node:fs";
import { type DayRange, describeRange, rangeLabel } from "../shared/dates.ts";
import type { DuckDBConnection } from "../db/duckdb.ts";
import { deleteCountedRows } from "../db/filtered-rows.ts";
import type { RowFilter } from "../db/row-filter.ts";
import { CliError, errorMessage, firstLine } from "../shared/errors.ts";
import { fsReason } from "../shared/fs-errors.ts";
import { onInterrupt } from "../shared/interrupts.ts";
import type { SourceSelection } from "../shared/sources.ts";
import type { ParseProgress } from "../staging/parse-run.ts";
import { type ExportInput, type OpenInput, openExportInput } from "./export-input.ts";
import { DELETED_ROWS_COMMENT } from "./archive-mark.ts";
import { checkTargets, type TargetRules } from "./output-targets.ts";
import { checkOutputTarget, recoverOutputFolder, Staging } from "./staging.ts";
import { EXPORT_TABLES, exportBaseName, type TableCounts, type TableKey } from "../archive/tables.ts";
import type { SessionFilesSummary } from "./session-input.ts";
import { createViewsDatabase } from "./views-db.ts";
import { coveredFiles, LAKE_VIEWS_FILE, type PartitionFile, partitionFiles, removeEmptyPartitionFolders } from "../archive/lake-files.ts";
import { createLakeViewsDatabase } from "./lake-views-db.ts";
import { countParquetRows } from "./count-rows.ts";
import { partitionTables, type StagedPartitions } from "./partition-tables.ts";
import type { RunSettings } from "../shared/run-settings.ts";

export interface ExportOptions {
  selection: SourceSelection;
  range: DayRange;
  /** As the user gave it; messages show it unchanged. */
  outputDir: string;
  input: ExportInput;
  zip: boolean;
  /** Delete the exported rows from the database once the archive was written and re-read. */
  deleteAfter: boolean;
  dryRun: boolean;
  yes: boolean;
  /** What the run may use (threads, memory), read at the command. */
  settings: RunSettings;
  /** `flat`: the three Parquet files and a views database; `hive`: partitions added to a lake (lake-files.ts). */
  layout: ExportLayout;
}

export type ExportLayout = "flat" | "hive";

export interface ExportPreview {
  source: string;
  input: ExportInput;
  range: DayRange;
  timeRange: string;
  rangeLabel: string;
  counts: TableCounts;
  outputDir: string;
  /** Files the export writes before zipping, in order. */
  files: string[];
  zipFile: string | null;
  deleteAfter: boolean;
  /** For `--from-files`: the session files that were read. */
  sessionFiles: SessionFilesSummary | null;
  layout: ExportLayout;
  /** `hive`: the lake's files in the export's range and service, which it replaces or removes. */
  covered: PartitionFile[];
}

export type ExportStep =
  | { kind: "table"; table: TableKey }
  | { kind: "partition" }
  | { kind: "views"; file: string }
  | { kind: "zip"; file: string }
  | { kind: "verify" }
  | { kind: "delete" };

export interface ExportHooks extends ParseProgress {
  onPreview?(preview: ExportPreview): void;
  /** Asked only when neither `--yes` nor `--dry-run` was given; may throw to refuse. */
  confirm(preview: ExportPreview): Promise<boolean>;
  onStepStart?(step: ExportStep): void;
  onStepDone?(step: ExportStep, detail: { rows?: number; ms: number }): void;
  /** The export failed after it may have started a step; the error follows. */
  onFailure?(): void;
}

interface WrittenFile {
  name: string;
  path: string;
  bytes: number;
}

type ExportStatus = "exported" | "dry-run" | "empty" | "aborted";

export interface ExportResult {
  status: ExportStatus;
  preview: ExportPreview;
  /** Files now in the output folder (only for `exported`). */
  files: WrittenFile[];
  bytes: number;
  /** Rows deleted from the database by `--delete-after`, else null. */
  deleted: TableCounts | null;
  /** What went wrong after the export was complete (a temporary folder left behind). */
  warnings: string[];
  /** `hive`: the partition files written (new or replacing one), and the lake's files of the range removed. */
  lake: { written: number; replaced: number; removed: number } | null;
}

function buildPreview(options: ExportOptions, counts: TableCounts, sessionFiles: SessionFilesSummary | null): ExportPreview {
  const label = rangeLabel(options.range);
  const base = exportBaseName(options.selection.source, label);
  const hive = options.layout === "hive";
  return {
    source: options.selection.source,
    input: options.input,
    range: options.range,
    timeRange: describeRange(options.range),
    rangeLabel: label,
    counts,
    outputDir: options.outputDir,
    files: hive ? [...EXPORT_TABLES.map((table) => `${table.key}/service=…/date=…/`), LAKE_VIEWS_FILE] : [...EXPORT_TABLES.map((table) => table.file), `${base}.duckdb`],
    zipFile: options.zip && !hive ? `${base}.zip` : null,
    deleteAfter: options.deleteAfter,
    sessionFiles,
    layout: options.layout,
    covered: [],
  };
}

function isEmpty(counts: TableCounts): boolean {
  return counts.traces === 0 && counts.logs === 0 && counts.metrics === 0;
}

function stepLabel(step: ExportStep): string {
  switch (step.kind) {
    case "table":
      return `writing ${step.table}.parquet`;
    case "partition":
      return "writing the partitions";
    case "views":
      return "creating the views database";
    case "zip":
      return `writing ${step.file}`;
    case "verify":
      return "re-reading the archive";
    case "delete":
      return "deleting the exported rows";
  }
}

function sameCounts(a: TableCounts, b: TableCounts): boolean {
  return EXPORT_TABLES.every((table) => a[table.key] === b[table.key]);
}

/** Runs the steps in order, reporting each, and remembers which one was running. */
class Steps {
  current: ExportStep | undefined;
  constructor(private readonly hooks: ExportHooks) {}

  async run<T>(step: ExportStep, work: () => Promise<T>, rows?: (value: T) => number): Promise<T> {
    this.current = step;
    this.hooks.onStepStart?.(step);
    const started = performance.now();
    const value = await work();
    this.hooks.onStepDone?.(step, { rows: rows?.(value), ms: performance.now() - started });
    this.current = undefined;
    return value;
  }
}

/** Writes each table's Parquet file into the staging folder, checked to hold the rows counted. */
async function writeTables(input: OpenInput, filter: RowFilter, preview: ExportPreview, stage: Staging, steps: Steps): Promise<void> {
  for (const table of EXPORT_TABLES) {
    const written = await steps.run({ kind: "table", table: table.key }, () => input.writeTable(table, filter, stage.file(table.file)), (rows) => rows);
    if (written !== preview.counts[table.key]) {
      throw new CliError(`export of ${table.key} wrote ${written} rows but ${preview.counts[table.key]} were counted; nothing was written`);
    }
  }
}

/** Writes the Parquet files, the views database and the ZIP (when asked for) into the staging folder. */
async function writeArchive(input: OpenInput, filter: RowFilter, preview: ExportPreview, stage: Staging, steps: Steps): Promise<void> {
  const marked = preview.deleteAfter; // the ZIP's comment (the Parquet files are marked by the input: see archive-mark.ts)
  await writeTables(input, filter, preview, stage, steps);
  const viewsFile = preview.files[EXPORT_TABLES.length] as string;
  await steps.run({ kind: "views", file: viewsFile }, () => createViewsDatabase(stage.dir, viewsFile));
  if (!preview.zipFile) return;
  const zipFile = preview.zipFile;
  // The ZIP writer is loaded only for --zip.
  const { writeZip } = await import("./zip.ts");
  const entries = preview.files.map((name) => ({ path: stage.file(name), name }));
  await steps.run({ kind: "zip", file: zipFile }, () => writeZip(stage.file(zipFile), entries, marked ? DELETED_ROWS_COMMENT : undefined));
}

/** The staged flat files written again as partitions; returns them, checked to hold the counted rows. */
async function writePartitions(input: OpenInput, filter: RowFilter, preview: ExportPreview, stage: Staging, steps: Steps, settings: RunSettings): Promise<StagedPartitions> {
  await writeTables(input, filter, preview, stage, steps);
  const staged = await steps.run({ kind: "partition" }, () => partitionTables(stage.dir, settings.threads, preview.deleteAfter, settings.duckdbMemoryLimit));
  if (!sameCounts(staged.rows, preview.counts)) {
    throw new CliError(`the partitions hold ${JSON.stringify(staged.rows)} rows but ${JSON.stringify(preview.counts)} were counted; nothing was written`);
  }
  return staged;
}

/**
 * Moves the partitions into the lake in one step (replacing the covered files of the same name, removing the other
 * covered ones), then writes the lake's views database for what the lake holds now. Returns the files written.
 */
async function commitPartitions(preview: ExportPreview, staged: StagedPartitions, stage: Staging, steps: Steps): Promise<{ names: string[]; paths: string[]; replaced: number; removed: number }> {
  const names = staged.files.map((file) => file.name);
  const written = new Set(names);
  const removals = preview.covered.map((file) => file.name).filter((name) => !written.has(name));
  const replaced = preview.covered.length - removals.length;
  const paths = stage.commit(names, removals);
  removeEmptyPartitionFolders(preview.outputDir, removals);
  const withFiles = new Set(partitionFiles(preview.outputDir).map((file) => file.table));
  await steps.run({ kind: "views", file: LAKE_VIEWS_FILE }, () => createLakeViewsDatabase(stage.dir, preview.outputDir, withFiles));
  stage.sync([LAKE_VIEWS_FILE]);
  paths.push(...stage.commit([LAKE_VIEWS_FILE]));
  return { names: [...names, LAKE_VIEWS_FILE], paths, replaced, removed: removals.length };
}

interface ExportRun {
  input: OpenInput;
  filter: RowFilter;
  preview: ExportPreview;
  stage: Staging;
  steps: Steps;
  settings: RunSettings;
  database: DuckDBConnection | null;
}

/** `--layout hive`: the partitions written, synced and (for `--delete-after`) read back, moved into the lake; then the rows deleted. */
async function exportPartitions(run: ExportRun): Promise<ExportResult> {
  const { preview, stage, steps, database } = run;
  const staged = await writePartitions(run.input, run.filter, preview, stage, steps, run.settings);
  const names = staged.files.map((file) => file.name);
  const reread = preview.deleteAfter && database !== null;
  stage.sync(names, reread);
  if (reread) await checkReread(run, "the partitions hold", () => countParquetRows(database, stage.dir, staged.files));
  const committed = await commitPartitions(preview, staged, stage, steps);
  return completed(run, committed.names, committed.paths, { written: names.length, replaced: committed.replaced, removed: committed.removed });
}

/** Before `--delete-after` deletes anything: what the archive, synced, holds when read back is what was counted. */
async function checkReread(run: Pick<ExportRun, "preview" | "steps">, holder: string, reread: () => Promise<TableCounts>): Promise<void> {
  const counts = await run.steps.run({ kind: "verify" }, reread);
  if (!sameCounts(counts, run.preview.counts)) {
    throw new CliError(`${holder} ${JSON.stringify(counts)} rows but ${JSON.stringify(run.preview.counts)} were exported; nothing was written or deleted`);
  }
}

/** The files now in the output folder (`names`, moved to `paths`); then, with `--delete-after`, the rows deleted; the staging folder removed. */
async function completed(run: Omit<ExportRun, "input" | "settings">, names: readonly string[], paths: readonly string[], lake: ExportResult["lake"]): Promise<ExportResult> {
  const { preview, steps, database } = run;
  const files = paths.map((path, index) => ({ name: names[index] as string, path, bytes: statSync(path).size }));
  const deleted =
    preview.deleteAfter && database
      ? await steps.run({ kind: "delete" }, () => deleteExportedRows(database, run.filter, preview.counts), (rows) => rows.traces + rows.logs + rows.metrics)
      : null;
  const leftover = run.stage.discard();
  return { status: "exported", preview, files, bytes: files.reduce((sum, file) => sum + file.bytes, 0), deleted, warnings: leftover ? [leftover] : [], lake };
}

async function deleteExportedRows(database: DuckDBConnection, filter: RowFilter, counts: TableCounts): Promise<TableCounts> {
  const deleted: TableCounts = { traces: 0, logs: 0, metrics: 0 };
  try {
    for (const table of EXPORT_TABLES) deleted[table.key] = await deleteCountedRows(database, table.table, filter, counts[table.key]);
    await database.run("COMMIT");
  } catch (error) {
    await database.run("ROLLBACK").catch(() => undefined);
    throw new CliError(`the archive was written, but deleting the exported rows failed, so nothing was deleted: ${firstLine(errorMessage(error))}`);
  }
  return deleted;
}

export async function runExport(options: ExportOptions, hooks: ExportHooks): Promise<ExportResult> {
  const filter: RowFilter = { range: options.range, serviceName: options.selection.serviceName };
  const input = await openExportInput(options.input, { deleteAfter: options.deleteAfter, settings: options.settings, writes: options.dryRun ? null : filter }, hooks);
  const rules: TargetRules = { deleteAfter: options.deleteAfter, database: options.input.kind === "database" ? options.input.location.path : null };
  const stopInterrupting = onInterrupt(() => input.interrupt());
  const database = input.database;
  const steps = new Steps(hooks);
  let staging: Staging | undefined;
  try {
    // One snapshot for the counts, the COPYs and the delete, so the preview shows the rows
    // written and `--delete-after` deletes exactly those.
    if (options.deleteAfter && database === null) throw new CliError("--delete-after deletes from the database; it cannot be used with --from-files");
    await database?.run("BEGIN TRANSACTION");
    const counts = await input.count(filter);
    const preview = buildPreview(options, counts, input.summary ?? null);
    const nothing = { files: [], bytes: 0, deleted: null, warnings: [], lake: null };
    // What killed runs left in the output folder is undone first (not by a dry run, which changes nothing).
    if (!options.dryRun) recoverOutputFolder(options.outputDir);
    if (isEmpty(counts)) return { status: "empty", preview, ...nothing };
    checkOutputTarget(options.outputDir);
    const finalNames = preview.zipFile ? [preview.zipFile] : preview.files;
    const checkOutput = () => {
      if (preview.layout === "flat") return checkTargets(options.outputDir, finalNames, rules);
      preview.covered = coveredFiles(partitionFiles(options.outputDir), options.range, options.selection.serviceName);
      checkTargets(options.outputDir, preview.covered.map((file) => file.name), rules);
      checkTargets(options.outputDir, [LAKE_VIEWS_FILE], { ...rules, deleteAfter: false }); // it holds no rows
    };
    checkOutput();
    hooks.onPreview?.(preview);
    if (options.dryRun) return { status: "dry-run", preview, ...nothing };
    if (!options.yes && !(await hooks.confirm(preview))) return { status: "aborted", preview, ...nothing };

    staging = await Staging.create(options.outputDir);
    const stage = staging;
    checkOutput(); // again, now that this run holds the folder
    if (preview.layout === "hive") return await exportPartitions({ input, filter, preview, stage, steps, settings: options.settings, database });
    await writeArchive(input, filter, preview, stage, steps);
    // On the disk before anything is replaced or deleted; the re-read below then reads the disk, not the page cache.
    const reread = options.deleteAfter && database !== null;
    stage.sync(finalNames, reread);
    if (reread) {
      const { rereadArchive } = await import("./verify-archive.ts");
      await checkReread({ preview, steps }, "the archive holds", () => rereadArchive(database, stage.dir, preview.zipFile ? stage.file(preview.zipFile) : null));
    }
    return await completed({ filter, preview, stage, steps, database }, finalNames, staging.commit(finalNames), null);
  } catch (error) {
    hooks.onFailure?.();
    const leftover = staging?.discard();
    const failure = error instanceof CliError ? error : new CliError(`export failed${steps.current ? ` while ${stepLabel(steps.current)}` : ""}: ${fsReason(error) || errorMessage(error)}`);
    if (leftover) throw new CliError(`${failure.message}; also, ${leftover}`, failure.exitCode);
    throw failure;
  } finally {
    stopInterrupting();
    input.close();
  }
}
