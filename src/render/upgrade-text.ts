import type { UpgradePreview, UpgradeResult } from "../upgrade/run-upgrade.ts";
import { formatBytes, formatCount, formatSeconds, plural } from "../shared/format.ts";

const TELEMETRY = [
  ["otel_traces", "Traces (spans)"],
  ["otel_logs", "Logs"],
  ["otel_metrics", "Metrics"],
] as const;

export function renderUpgradePreview(preview: UpgradePreview): string {
  const others = Object.entries(preview.rows).filter(([table]) => !TELEMETRY.some(([name]) => name === table));
  const otherRows = others.reduce((sum, [, rows]) => sum + rows, 0);
  const lines = [
    "",
    "Upgrade Summary",
    "===============",
    `Database: ${preview.database} (${formatBytes(preview.bytes)})`,
    `Storage:  DuckDB ${preview.storage} → ${preview.target}`,
    "",
    ...TELEMETRY.map(([table, label]) => `  ${`${label}:`.padEnd(16)}${formatCount(preview.rows[table] ?? 0)}`),
    `  ${"Other tables:".padEnd(16)}${formatCount(others.length)} (${formatCount(otherRows)} ${plural(otherRows, "row", "rows")})`,
    `  ${"Indexes:".padEnd(16)}${formatCount(preview.indexes)}`,
    "",
    "Every row is copied into a new file in the newer format, checked, and put in the database's place.",
    "Imports into a large database are then fast (the older format rewrites whole indexes on every import).",
    "The Go AI Observer 0.4 and later open the new file; DuckDB before 1.2, and programs built on it, do not.",
    `The original is kept as ${preview.backup}.`,
  ];
  return `${lines.join("\n")}\n`;
}

export function renderUpgradeResult(result: UpgradeResult): string {
  const { preview } = result;
  switch (result.status) {
    case "current":
      return `Nothing to do: ${preview.database} is already in DuckDB's ${preview.storage} storage format.\n`;
    case "dry-run":
      return "\nDry run - nothing changed.\n";
    case "aborted":
      return "Aborted.\n";
    case "upgraded":
      return [
        "",
        `Upgrade complete: ${preview.database} is in DuckDB's ${preview.target} storage format (${formatBytes(preview.bytes)} → ${formatBytes(result.bytesAfter ?? 0)}, ${formatSeconds(result.ms)}).`,
        `The original is kept as ${preview.backup}; remove it once the new file serves you well.`,
        "",
      ].join("\n");
  }
}
