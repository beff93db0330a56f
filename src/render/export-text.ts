import { unknownUsageLine } from "./unknown-usage.ts";
import type { ExportPreview, ExportResult, ExportStep } from "../export/run-export.ts";
import type { SessionFilesSummary } from "../export/session-input.ts";
import { EXPORT_TABLES } from "../archive/tables.ts";
import { formatBytes, formatCount, formatSeconds, plural } from "../shared/format.ts";

export function renderPreview(preview: ExportPreview, verbose: boolean): string {
  const from = preview.input.kind === "files" ? "from files" : "from database";
  const width = Math.max(...EXPORT_TABLES.map((table) => formatCount(preview.counts[table.key]).length));
  const lines = [
    "",
    "Export Preview",
    "==============",
    `Source: ${preview.source} (${from})`,
  ];
  if (verbose && preview.input.kind === "database") lines.push(`Database: ${preview.input.location.path}`);
  if (preview.sessionFiles) lines.push(...renderSessionFiles(preview.sessionFiles, verbose));
  lines.push(
    `Time range: ${preview.timeRange}`,
    "",
    "Data to export:",
    ...EXPORT_TABLES.map((table) => {
      const label = `${table.key[0]?.toUpperCase()}${table.key.slice(1)}:`.padEnd(9);
      return `  ${label}${formatCount(preview.counts[table.key]).padStart(width)} ${table.unit}`;
    }),
    "",
    `Output directory: ${preview.outputDir}${preview.layout === "hive" ? " (a lake: Hive partitions)" : ""}`,
    "Files to create:",
    ...preview.files.map((file) => `  - ${file}`),
  );
  if (preview.layout === "hive") {
    const covered = preview.covered.length;
    lines.push(
      covered === 0
        ? "No partition of this range is in the lake yet."
        : `Replaces the lake's ${formatCount(covered)} ${plural(covered, "file", "files")} of this range and service (the others stay).`,
    );
  }
  if (preview.zipFile) lines.push(`  - ${preview.zipFile} (all files combined)`);
  if (preview.deleteAfter) {
    lines.push("", "Then, once the archive was written and re-read, delete these rows from the database.");
  }
  return `${lines.join("\n")}\n`;
}

function renderSessionFiles(summary: SessionFilesSummary, verbose: boolean): string[] {
  const lines = [`Session files: ${formatCount(summary.files)} read (${formatBytes(summary.bytes)}), ${formatCount(summary.badLines)} bad ${plural(summary.badLines, "line", "lines")} skipped`];
  if (summary.unpricedModels.length > 0) lines.push(`Unpriced models (no cost rows): ${summary.unpricedModels.join(", ")}`);
  if (summary.unknownUsage.lines > 0) {
    lines.push(unknownUsageLine(summary.unknownUsage.lines));
    if (verbose) lines.push(...summary.unknownUsage.files.map((path) => `  - ${path}`));
  }
  if (summary.failed.length > 0) {
    lines.push(`Unreadable files: ${formatCount(summary.failed.length)}`);
    if (verbose) lines.push(...summary.failed.map((failure) => `  - ${failure.path}: ${failure.reason}`));
  }
  if (verbose && summary.tableWorkers > 0) lines.push(`Row groups written on ${formatCount(summary.tableWorkers)} worker ${plural(summary.tableWorkers, "thread", "threads")}`);
  return lines;
}

export function renderStepStart(step: ExportStep): string {
  switch (step.kind) {
    case "table":
      return `Exporting ${step.table}... `;
    case "partition":
      return "Writing partitions by service and day... ";
    case "views":
      return "Creating views database... ";
    case "zip":
      return "Creating ZIP archive... ";
    case "verify":
      return "Re-reading the archive... ";
    case "delete":
      return "Deleting exported rows from the database... ";
  }
}

export function renderStepDone(detail: { rows?: number; ms: number }, verbose: boolean): string {
  const parts: string[] = [];
  if (detail.rows !== undefined) parts.push(`${formatCount(detail.rows)} ${plural(detail.rows, "row", "rows")}`);
  if (verbose) parts.push(formatSeconds(detail.ms));
  return parts.length > 0 ? `done (${parts.join(", ")})\n` : "done\n";
}

export function renderResult(result: ExportResult): string {
  switch (result.status) {
    case "empty":
      return result.preview.input.kind === "files" ? "No data found in source files.\n" : "No data found to export.\n";
    case "dry-run":
      return "\nDry run - no files created.\n";
    case "aborted":
      return "Aborted.\n";
    case "exported": {
      const count = result.files.length;
      const lines = ["", "Export complete!", `Output: ${result.preview.outputDir} (${count} ${plural(count, "file", "files")}, ${formatBytes(result.bytes)})`];
      if (result.lake) {
        const { written, replaced, removed } = result.lake;
        lines.push(`Partition files: ${formatCount(written)} written (${formatCount(replaced)} of them replacing earlier ones), ${formatCount(removed)} removed`);
      }
      if (result.deleted) {
        const { traces, logs, metrics } = result.deleted;
        lines.push(`Deleted from the database: ${formatCount(traces)} spans, ${formatCount(logs)} logs, ${formatCount(metrics)} metrics`);
      }
      return `${lines.join("\n")}\n`;
    }
  }
}
