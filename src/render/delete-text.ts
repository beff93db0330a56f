import type { DeleteCounts, DeletePreview, DeleteResult } from "../delete/run-delete.ts";
import { formatCount } from "../shared/format.ts";

function countLines(counts: DeleteCounts, labels: { logs: string; metrics: string; spans: string }): string[] {
  const lines: string[] = [];
  if (counts.logs !== null) lines.push(`  ${labels.logs}${formatCount(counts.logs)}`);
  if (counts.metrics !== null) lines.push(`  ${labels.metrics}${formatCount(counts.metrics)}`);
  if (counts.spans !== null) {
    lines.push(counts.traces === null ? `  ${labels.spans}${formatCount(counts.spans)}` : `  ${labels.spans}${formatCount(counts.traces)} (spans: ${formatCount(counts.spans)})`);
  }
  return lines;
}

export function renderDeletePreview(preview: DeletePreview, verbose: boolean): string {
  const lines = [
    "",
    "Delete Summary",
    "==============",
    `Time range: ${preview.range.from} to ${preview.range.to}`,
    `Service: ${preview.serviceName ?? "all"}`,
  ];
  if (verbose) lines.push(`Database: ${preview.database}`);
  lines.push("", "Records to be deleted:", ...countLines(preview.counts, { logs: "Logs:    ", metrics: "Metrics: ", spans: "Traces:  " }));
  return `${lines.join("\n")}\n`;
}

export function renderDeleteResult(result: DeleteResult): string {
  switch (result.status) {
    case "empty":
      return "No records found in the specified time range.\n";
    case "dry-run":
      return "\nDry run - nothing deleted.\n";
    case "aborted":
      return "Aborted.\n";
    case "deleted": {
      const spansOnly = { ...result.deleted, traces: null };
      const lines = countLines(spansOnly, { logs: "Logs deleted:    ", metrics: "Metrics deleted: ", spans: "Spans deleted:   " });
      return `\nDeletion complete:\n${lines.join("\n")}\n`;
    }
  }
}
