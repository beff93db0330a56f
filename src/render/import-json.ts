import { eventCounts, type ImportResult } from "../import/run-import.ts";
import { JSON_SCHEMA_VERSION } from "./json.ts";

export function buildImportJson(result: ImportResult) {
  const { preview } = result;
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    command: "import",
    status: result.status,
    database: preview.database,
    range: { from: preview.range.from ?? null, to: preview.range.to ?? null },
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
  };
}
