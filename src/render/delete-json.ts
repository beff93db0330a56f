import type { DeleteResult } from "../delete/run-delete.ts";
import { JSON_SCHEMA_VERSION } from "./json.ts";

export function buildDeleteJson(result: DeleteResult) {
  const { preview } = result;
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    command: "delete",
    status: result.status,
    scope: preview.scope,
    range: preview.range,
    service: preview.serviceName,
    database: preview.database,
    counts: preview.counts,
    deleted: result.deleted,
  };
}
