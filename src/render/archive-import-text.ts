import type { ArchiveImportPreview, ArchiveImportResult } from "../import/archive/run-archive-import.ts";
import type { TableCounts } from "../archive/tables.ts";
import { describeRange } from "../shared/dates.ts";
import { formatCount, plural } from "../shared/format.ts";

function tableCounts(counts: TableCounts): string {
  return `${formatCount(counts.logs)} logs, ${formatCount(counts.metrics)} metrics, ${formatCount(counts.traces)} spans`;
}

const KIND_WORDS = { folder: "export folder", zip: "export ZIP", lake: "lake", database: "database" } as const;

export function renderArchiveImportPreview(preview: ArchiveImportPreview): string {
  const present: TableCounts = {
    traces: preview.inArchive.traces - preview.add.traces,
    logs: preview.inArchive.logs - preview.add.logs,
    metrics: preview.inArchive.metrics - preview.add.metrics,
  };
  const goRows = preview.goRows.logs + preview.goRows.metrics;
  const lines = [
    "Import from an export",
    "=====================",
    `From:       ${preview.archive.path} (${KIND_WORDS[preview.archive.kind]})`,
    `Database:   ${preview.database}`,
    `Time range: ${describeRange(preview.filter.range)}`,
    `Service:    ${preview.filter.serviceName ?? "all"}`,
    "",
    `In the export:        ${tableCounts(preview.inArchive)}`,
    `Already in database:  ${tableCounts(present)}`,
    `To add:               ${tableCounts(preview.add)}`,
    `Usage events:         ${formatCount(preview.events.new)} new, ${formatCount(preview.events.present)} already in the database`,
  ];
  if (goRows > 0) lines.push(`Replaces:             ${formatCount(goRows)} ${plural(goRows, "row", "rows")} the Go importer wrote for the same usage`);
  return `${lines.join("\n")}\n`;
}

export function renderArchiveImportResult(result: ArchiveImportResult): string {
  switch (result.status) {
    case "nothing":
      return `Nothing to import: every row of ${result.preview.archive.path} in range is in the database already.\n`;
    case "dry-run":
      return "\nDry run: nothing was imported.\n";
    case "aborted":
      return "Aborted.\n";
    case "imported": {
      const { inserted } = result;
      return `\nImport complete: ${tableCounts(inserted)} added.\n`;
    }
  }
}
