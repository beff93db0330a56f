import { statSync } from "node:fs";
import { type DayRange, describeRange, rangeLabel } from "../dates.ts";
import { CliError, errorMessage } from "../errors.ts";
import { fsReason } from "../fs-errors.ts";
import { onInterrupt } from "../signals.ts";
import type { SourceSelection } from "../sources.ts";
import { countRows } from "./count-rows.ts";
import { type ExportInput, openExportInput } from "./export-input.ts";
import type { RowFilter } from "../db/row-filter.ts";
import { checkOutputTarget, Staging } from "./staging.ts";
import { EXPORT_TABLES, exportBaseName, type TableCounts, type TableKey } from "./tables.ts";
import { createViewsDatabase } from "./views-db.ts";
import { writeParquet } from "./write-parquet.ts";
import { writeZip } from "./zip.ts";

export interface ExportOptions {
  selection: SourceSelection;
  range: DayRange;
  /** As the user gave it; messages show it unchanged. */
  outputDir: string;
  input: ExportInput;
  zip: boolean;
  dryRun: boolean;
  yes: boolean;
}

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
}

export type ExportStep =
  | { kind: "table"; table: TableKey }
  | { kind: "views"; file: string }
  | { kind: "zip"; file: string };

export interface ExportHooks {
  onPreview?(preview: ExportPreview): void;
  /** Asked only when neither `--yes` nor `--dry-run` was given; may throw to refuse. */
  confirm(preview: ExportPreview): Promise<boolean>;
  onStepStart?(step: ExportStep): void;
  onStepDone?(step: ExportStep, detail: { rows?: number; ms: number }): void;
  /** The export failed after it may have started a step; the error follows. */
  onFailure?(): void;
}

export interface WrittenFile {
  name: string;
  path: string;
  bytes: number;
}

export type ExportStatus = "exported" | "dry-run" | "empty" | "aborted";

export interface ExportResult {
  status: ExportStatus;
  preview: ExportPreview;
  /** Files now in the output folder (only for `exported`). */
  files: WrittenFile[];
  bytes: number;
}

function buildPreview(options: ExportOptions, counts: TableCounts): ExportPreview {
  const label = rangeLabel(options.range);
  const base = exportBaseName(options.selection.source, label);
  return {
    source: options.selection.source,
    input: options.input,
    range: options.range,
    timeRange: describeRange(options.range),
    rangeLabel: label,
    counts,
    outputDir: options.outputDir,
    files: [...EXPORT_TABLES.map((table) => table.file), `${base}.duckdb`],
    zipFile: options.zip ? `${base}.zip` : null,
  };
}

function isEmpty(counts: TableCounts): boolean {
  return counts.traces === 0 && counts.logs === 0 && counts.metrics === 0;
}

function stepLabel(step: ExportStep): string {
  if (step.kind === "table") return `writing ${step.table}.parquet`;
  if (step.kind === "views") return `creating the views database`;
  return `writing ${step.file}`;
}

let currentStep: ExportStep | undefined;

async function timed<T>(hooks: ExportHooks, step: ExportStep, work: () => Promise<T>, rows?: (value: T) => number): Promise<T> {
  currentStep = step;
  hooks.onStepStart?.(step);
  const started = performance.now();
  const value = await work();
  hooks.onStepDone?.(step, { rows: rows?.(value), ms: performance.now() - started });
  return value;
}

export async function runExport(options: ExportOptions, hooks: ExportHooks): Promise<ExportResult> {
  const filter: RowFilter = { range: options.range, serviceName: options.selection.serviceName };
  const input = await openExportInput(options.input);
  const stopInterrupting = onInterrupt(() => input.connection.interrupt());
  let staging: Staging | undefined;
  currentStep = undefined;
  try {
    // One snapshot for the counts and the COPYs, so the preview shows the rows written.
    await input.connection.run("BEGIN TRANSACTION");
    const counts = await countRows(input.connection, filter);
    const preview = buildPreview(options, counts);
    if (isEmpty(counts)) return { status: "empty", preview, files: [], bytes: 0 };
    checkOutputTarget(options.outputDir);
    hooks.onPreview?.(preview);
    if (options.dryRun) return { status: "dry-run", preview, files: [], bytes: 0 };
    if (!options.yes && !(await hooks.confirm(preview))) return { status: "aborted", preview, files: [], bytes: 0 };

    staging = Staging.create(options.outputDir);
    const stage = staging;
    for (const table of EXPORT_TABLES) {
      const written = await timed(hooks, { kind: "table", table: table.key }, () => writeParquet(input.connection, table, filter, stage.file(table.file)), (rows) => rows);
      if (written !== counts[table.key]) {
        throw new CliError(`export of ${table.key} wrote ${written} rows but ${counts[table.key]} were counted; nothing was written`);
      }
    }
    const viewsFile = preview.files[EXPORT_TABLES.length] as string;
    await timed(hooks, { kind: "views", file: viewsFile }, () => createViewsDatabase(stage.dir, viewsFile));

    let finalNames = preview.files;
    if (preview.zipFile) {
      const zipFile = preview.zipFile;
      await timed(hooks, { kind: "zip", file: zipFile }, () =>
        writeZip(stage.file(zipFile), preview.files.map((name) => ({ path: stage.file(name), name }))),
      );
      finalNames = [zipFile];
    }
    const paths = staging.commit(finalNames);
    const files = paths.map((path, index) => ({ name: finalNames[index] as string, path, bytes: statSync(path).size }));
    return { status: "exported", preview, files, bytes: files.reduce((sum, file) => sum + file.bytes, 0) };
  } catch (error) {
    hooks.onFailure?.();
    if (error instanceof CliError) throw error;
    const during = currentStep ? ` while ${stepLabel(currentStep)}` : "";
    throw new CliError(`export failed${during}: ${fsReason(error) || errorMessage(error)}`);
  } finally {
    staging?.discard();
    stopInterrupting();
    input.close();
  }
}
