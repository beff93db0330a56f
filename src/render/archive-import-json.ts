import type { ArchiveImportResult } from "../import/archive/run-archive-import.ts";
import { JSON_SCHEMA_VERSION } from "./json.ts";

/** The one object `import --from-export --json` prints; field names are part of the CLI's contract. */
export function buildArchiveImportJson(result: ArchiveImportResult) {
  const { preview } = result;
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    command: "import",
    status: result.status,
    database: preview.database,
    from: { kind: preview.archive.kind, path: preview.archive.path },
    range: { from: preview.filter.range.from ?? null, to: preview.filter.range.to ?? null },
    service: preview.filter.serviceName,
    inArchive: preview.inArchive,
    add: preview.add,
    events: preview.events,
    goRows: preview.goRows,
    inserted: result.inserted,
  };
}
