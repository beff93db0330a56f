import { eventCounts, type ImportResult } from "../import/run-import.ts";
import type { DayRange } from "../shared/dates.ts";
import { JSON_SCHEMA_VERSION } from "./json.ts";

/** What every `import --json` object starts with, from session files or from an export. */
export function importJsonHead(status: string, database: string, range: DayRange) {
  return { schemaVersion: JSON_SCHEMA_VERSION, command: "import", status, database, range: { from: range.from ?? null, to: range.to ?? null } };
}

export function buildImportJson(result: ImportResult) {
  const { preview } = result;
  return {
    ...importJsonHead(result.status, preview.database, preview.range),
    tools: preview.plans.map((plan) => ({
      tool: plan.tool,
      files: { ...plan.files, failed: plan.failed },
      events: {
        ...eventCounts(plan),
        alreadyImported: plan.alreadyImported,
        outsideRange: plan.outsideRange,
      },
      rows: plan.rows,
      goRows: { logs: plan.goRows.logs, metrics: plan.goRows.metrics },
      badLines: plan.badLines,
      unknownUsage: plan.unknownUsage,
      unpricedModels: plan.unpricedModels,
    })),
    totals: preview.totals,
    inserted: result.inserted,
    commits: result.commits,
    upgradeAdvised: result.upgradeAdvised,
  };
}
