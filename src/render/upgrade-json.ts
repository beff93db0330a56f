import type { UpgradeResult } from "../upgrade/run-upgrade.ts";
import { JSON_SCHEMA_VERSION } from "./json.ts";

export function buildUpgradeJson(result: UpgradeResult) {
  const { preview } = result;
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    command: "upgrade-database",
    status: result.status,
    database: preview.database,
    backup: result.status === "upgraded" ? preview.backup : null,
    storage: { before: preview.storage, after: result.status === "upgraded" ? preview.target : preview.storage },
    bytes: { before: preview.bytes, after: result.bytesAfter },
    rows: preview.rows,
    indexes: preview.indexes,
    seconds: Math.round(result.ms) / 1000,
  };
}
