import importSchemaSql from "./import-schema.sql" with { type: "text" };
import indexesSql from "./schema-indexes.sql" with { type: "text" };
import schemaSql from "./schema.sql" with { type: "text" };
import type { DuckDBConnection } from "./duckdb.ts";

export const TELEMETRY_TABLES = ["otel_traces", "otel_logs", "otel_metrics"] as const;
export type TelemetryTable = (typeof TELEMETRY_TABLES)[number];

/**
 * AI Observer's tables and indexes. A database that is only filled once and read once
 * (--from-files) skips the indexes: maintaining them costs more than they save there.
 */
export async function createSchema(connection: DuckDBConnection, options: { indexes: boolean } = { indexes: true }): Promise<void> {
  await connection.run(schemaSql);
  if (options.indexes) await connection.run(indexesSql);
}

/** ai-observer's incremental-import bookkeeping (see import-schema.sql). */
export async function createImportSchema(connection: DuckDBConnection): Promise<void> {
  await connection.run(importSchemaSql);
}

/** Tables of `TELEMETRY_TABLES` that the database lacks. */
export async function missingTelemetryTables(connection: DuckDBConnection): Promise<TelemetryTable[]> {
  const reader = await connection.runAndReadAll(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()",
  );
  const present = new Set(reader.getRows().map((row) => String(row[0])));
  return TELEMETRY_TABLES.filter((table) => !present.has(table));
}
