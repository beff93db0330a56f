import { describeRange } from "../shared/dates.ts";
import { formatCount, plural } from "../shared/format.ts";
import type { UnknownUsage } from "../sources/unknown-usage.ts";
import { unknownUsageLine } from "./unknown-usage.ts";
import type { FileCounts, ToolPlan } from "../import/plan-import.ts";
import { eventCounts, type ImportPreview, type ImportResult } from "../import/run-import.ts";

function fileLine(files: FileCounts, failed: number): string {
  const parts = [`${formatCount(files.new)} new`, `${formatCount(files.modified)} modified`, `${formatCount(files.unchanged)} unchanged${files.forced > 0 ? ", read again (--force)" : ""}`];
  if (files.outdated > 0) parts.push(`${formatCount(files.outdated)} read again to repair (an older version read them)`);
  if (files.repricing > 0) parts.push(`${formatCount(files.repricing)} read again for new prices`);
  if (files.transcripts > 0) parts.push(`${formatCount(files.transcripts)} read again for transcripts`);
  if (failed > 0) parts.push(`${formatCount(failed)} unreadable`);
  return `${formatCount(files.total)} total (${parts.join(", ")})`;
}

interface Details {
  badLines: number;
  unknownUsage: UnknownUsage;
  unpricedModels: string[];
  outsideRange: number;
  alreadyImported: number;
  update: number;
  forced: number;
  repaired: number;
  priced: number;
  removed: number;
  goRows: { logs: number; metrics: number };
}

function detailLines(indent: string, totals: Details): string[] {
  const lines: string[] = [];
  if (totals.update > 0) lines.push(`${indent}Updated: ${formatCount(totals.update)} ${plural(totals.update, "event", "events")} now more complete`);
  if (totals.forced > 0) lines.push(`${indent}Replaced (--force): ${formatCount(totals.forced)} ${plural(totals.forced, "event", "events")}`);
  if (totals.repaired > 0) lines.push(`${indent}Repaired: ${formatCount(totals.repaired)} ${plural(totals.repaired, "event", "events")} made again by this version`);
  if (totals.priced > 0) lines.push(`${indent}Priced: ${formatCount(totals.priced)} ${plural(totals.priced, "event", "events")} stored without a cost, now priced`);
  if (totals.removed > 0) lines.push(`${indent}Removed: ${formatCount(totals.removed)} ${plural(totals.removed, "event", "events")} an older version counted that this one does not`);
  const goRows = totals.goRows.logs + totals.goRows.metrics;
  if (goRows > 0) lines.push(`${indent}Replaces: ${formatCount(goRows)} ${plural(goRows, "row", "rows")} the Go importer wrote for the same usage`);
  if (totals.alreadyImported > 0) lines.push(`${indent}Already imported: ${formatCount(totals.alreadyImported)} ${plural(totals.alreadyImported, "event", "events")}`);
  if (totals.outsideRange > 0) lines.push(`${indent}Outside the time range: ${formatCount(totals.outsideRange)} ${plural(totals.outsideRange, "event", "events")}`);
  if (totals.badLines > 0) lines.push(`${indent}Bad lines skipped: ${formatCount(totals.badLines)}`);
  if (totals.unknownUsage.lines > 0) lines.push(`${indent}${unknownUsageLine(totals.unknownUsage.lines)}`);
  if (totals.unpricedModels.length > 0) lines.push(`${indent}Unpriced models (no cost rows): ${totals.unpricedModels.join(", ")}`);
  return lines;
}

function toolBlock(plan: ToolPlan, verbose: boolean): string[] {
  const lines = [
    `  [${plan.tool}]`,
    `    Files:   ${fileLine(plan.files, plan.failed.length)}`,
    `    Logs:    ${formatCount(plan.rows.logs)}`,
    `    Metrics: ${formatCount(plan.rows.metrics)}`,
    ...detailLines("    ", { ...plan, ...eventCounts(plan) }),
  ];
  if (verbose) lines.push(...plan.failed.map((failure) => `    Unreadable: ${failure.path}: ${failure.reason}`));
  if (verbose) lines.push(...plan.unknownUsage.files.map((path) => `    Usage in an unknown shape: ${path}`));
  return lines;
}

export function renderImportPreview(preview: ImportPreview, verbose: boolean): string {
  const lines = ["", "Import Summary", "=============="];
  if (verbose) lines.push(`Database: ${preview.database}`);
  if (preview.range.from !== undefined || preview.range.to !== undefined) lines.push(`Time range: ${describeRange(preview.range).replace(/^start /, "beginning ")}`);
  lines.push("", "Data to IMPORT (from files):");
  for (const plan of preview.plans) lines.push("", ...toolBlock(plan, verbose));
  const { totals } = preview;
  lines.push(
    "",
    "  Total:",
    `    Files:   ${formatCount(totals.files.new)} new, ${formatCount(totals.files.modified)} modified`,
    `    Logs:    ${formatCount(totals.rows.logs)}`,
    `    Metrics: ${formatCount(totals.rows.metrics)}`,
  );
  return `${lines.join("\n")}\n`;
}


export function renderImportResult(result: ImportResult): string {
  switch (result.status) {
    case "nothing": {
      const { files, events } = result.preview.totals;
      const read = files.new + files.modified + files.forced + files.outdated + files.repricing + files.transcripts;
      if (read === 0) return "No new or modified files found to import.\n";
      return `Nothing new to import: ${formatCount(read)} files read, ${formatCount(events.alreadyImported)} events already imported.\n`;
    }
    case "dry-run":
      return "\nDry run - no changes made.\n";
    case "aborted":
      return "Aborted.\n";
    case "imported": {
      const parts = result.commits > 1 ? `, committed in ${result.commits} parts` : "";
      const done = `\nImport complete: ${formatCount(result.inserted.logs)} logs and ${formatCount(result.inserted.metrics)} metrics added${parts}.\n`;
      if (!result.upgradeAdvised) return done;
      return `${done}Tip: this database is in DuckDB's older storage format, where every import rewrites its indexes whole; \`ai-observer upgrade-database\` makes imports into it fast (README).\n`;
    }
  }
}
