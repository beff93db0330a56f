import type { ExportResult } from "../export/run-export.ts";
import { resolve } from "node:path";
import { JSON_SCHEMA_VERSION } from "./json.ts";

/** The one object `export --json` prints; field names are part of the CLI's contract. */
export function buildExportJson(result: ExportResult) {
  const { preview } = result;
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    command: "export",
    status: result.status,
    source: preview.source,
    input: preview.input.kind === "database" ? { kind: "database", database: preview.input.location.path } : { kind: "files", ...preview.sessionFiles },
    range: { from: preview.range.from ?? null, to: preview.range.to ?? null, label: preview.rangeLabel },
    counts: preview.counts,
    outputDir: resolve(preview.outputDir),
    zip: preview.zipFile !== null,
    files: result.files.map((file) => ({ name: file.name, path: file.path, bytes: file.bytes })),
    bytes: result.bytes,
    layout: preview.layout,
    lake: result.lake,
    deleteAfter: preview.deleteAfter,
    deleted: result.deleted,
    warnings: result.warnings,
  };
}
