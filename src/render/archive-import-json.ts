import type { ArchiveImportResult } from "../import/archive/run-archive-import.ts";
import { importJsonHead } from "./import-json.ts";

/** The one object `import --from-export --json` prints; field names are part of the CLI's contract. */
export function buildArchiveImportJson(result: ArchiveImportResult) {
  const { preview } = result;
  return {
    ...importJsonHead(result.status, preview.database, preview.filter.range),
    from: { kind: preview.archive.kind, path: preview.archive.path },
    service: preview.filter.serviceName,
    inArchive: preview.inArchive,
    add: preview.add,
    events: preview.events,
    goRows: preview.goRows,
    inserted: result.inserted,
  };
}
