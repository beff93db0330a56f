import importSchemaSql from "./import-schema.sql" with { type: "text" };
import unkeyedEventsSql from "./import-events-unkeyed.sql" with { type: "text" };
import goMigrationsSql from "./schema-go-0.5.sql" with { type: "text" };
import indexesSql from "./schema-indexes.sql" with { type: "text" };
import schemaSql from "./schema.sql" with { type: "text" };
import type { DuckDBConnection } from "./duckdb.ts";
import { queryNumber } from "./query-number.ts";

export const TELEMETRY_TABLES = ["otel_traces", "otel_logs", "otel_metrics"] as const;
export type TelemetryTable = (typeof TELEMETRY_TABLES)[number];

/**
 * Whether a table's rows may each be large: a log row with transcripts holds a conversation's text (KBs to MBs), of
 * which DuckDB holds 2,048 rows at a time per thread, several times over; what writes or copies them does so on one of
 * DuckDB's threads (export/copy-shape.ts, storage-copy.ts).
 */
export function holdsLargeRows(table: string): boolean {
  return table === "otel_logs";
}

export interface SchemaOptions {
  /**
   * AI Observer's indexes. Not for a database only filled once and read once (--from-files), where maintaining them
   * costs more than they save, nor for a new database until its first import's rows are in (pending-indexes.ts).
   */
  indexes: boolean;
  /**
   * What the Go server 0.4+ adds on every open (schema-go-0.5.sql): for databases we create, so that they are what Go
   * 0.5 creates. Not for existing ones, which keep the shape their writer gave them. Without `indexes`, its columns only.
   */
  goMigrations?: boolean;
}

/** The statements of a schema file (one per line, `;`-terminated; comment lines left out). */
function statementsOf(sql: string): string[] {
  return sql.split("\n").filter((line) => line.trim().endsWith(";") && !line.startsWith("--"));
}

const goStatements = statementsOf(goMigrationsSql);
/** AI Observer's indexes, Go 0.2's and then Go 0.4's, in the Go server's order, one statement each (`IF NOT EXISTS`). */
export const INDEX_STATEMENTS = [...statementsOf(indexesSql), ...goStatements.filter((statement) => statement.startsWith("CREATE INDEX"))];
const goColumnStatements = goStatements.filter((statement) => !statement.startsWith("CREATE INDEX"));

/** AI Observer's tables and indexes (go-reference §1.2-1.3), as Go 0.2 made them, and with `goMigrations` as Go 0.5 does. */
export async function createSchema(connection: DuckDBConnection, options: SchemaOptions = { indexes: true, goMigrations: true }): Promise<void> {
  await connection.run(schemaSql);
  if (options.indexes) await connection.run(indexesSql);
  if (options.goMigrations) await connection.run((options.indexes ? goStatements : goColumnStatements).join("\n"));
}

/** Whether `import_state` has the columns Go 0.4+ added (`byte_offset`, `message_count`, `parser_state`). */
export async function hasWatchColumns(connection: DuckDBConnection): Promise<boolean> {
  const columns = await queryNumber(
    connection,
    "SELECT count(*) FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = 'main' AND table_name = 'import_state' AND column_name IN ('byte_offset', 'message_count', 'parser_state')",
  );
  return columns === 3;
}

/** ai-observer's incremental-import bookkeeping (see import-schema.sql). */
export async function createImportSchema(connection: DuckDBConnection): Promise<void> {
  await connection.run(importSchemaSql);
  const keyed = await queryNumber(
    connection,
    "SELECT count(*) FROM duckdb_constraints() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'ai_observer_import_events' AND constraint_type = 'PRIMARY KEY'",
  );
  if (keyed > 0) await connection.run(unkeyedEventsSql);
}

/** Tables of `TELEMETRY_TABLES` that the database lacks. */
export async function missingTelemetryTables(connection: DuckDBConnection): Promise<TelemetryTable[]> {
  const reader = await connection.runAndReadAll(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()",
  );
  const present = new Set(reader.getRows().map((row) => String(row[0])));
  return TELEMETRY_TABLES.filter((table) => !present.has(table));
}
