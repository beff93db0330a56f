import type { DuckDBConnection } from "./duckdb.ts";
import { DuckDBMemory, onFewerThreads } from "./duckdb-memory.ts";
import { makeIndexesOverRows } from "./pending-indexes.ts";
import { queryNumber } from "./query-number.ts";
import { sqlIdentifier } from "./sql-template.ts";
import { holdsLargeRows, TELEMETRY_TABLES } from "./schema.ts";
import { currentDatabase } from "./storage-version.ts";

/** What a database holds, as its catalog says: each table's statement, its views' and its indexes'. */
export interface DatabaseCatalog {
  tables: { name: string; sql: string; rows: number }[];
  views: string[];
  indexes: { name: string; sql: string }[];
}

async function rowsOf(connection: DuckDBConnection, sql: string, params: Record<string, string>): Promise<unknown[][]> {
  return (await connection.runAndReadAll(sql, params)).getRows();
}

/**
 * The catalog of an attached database, for a copy that leaves nothing out: what AI Observer's databases hold (tables,
 * views, indexes in the main schema). Anything else (other schemas, sequences, macros, types) is refused by name
 * rather than dropped.
 */
export async function readCatalog(connection: DuckDBConnection, database: string): Promise<DatabaseCatalog> {
  const params = { database };
  const others = await rowsOf(
    connection,
    `SELECT 'schema ' || schema_name FROM duckdb_schemas() WHERE database_name = $database AND schema_name NOT IN ('main', 'pg_catalog', 'information_schema')
     UNION ALL SELECT 'sequence ' || sequence_name FROM duckdb_sequences() WHERE database_name = $database
     UNION ALL SELECT 'macro ' || function_name FROM duckdb_functions() WHERE database_name = $database AND NOT internal
     UNION ALL SELECT 'type ' || type_name FROM duckdb_types() WHERE database_name = $database AND NOT internal
     UNION ALL SELECT 'table ' || table_name FROM duckdb_tables() WHERE database_name = $database AND schema_name <> 'main'`,
    params,
  );
  if (others.length > 0) throw new Error(`it holds what this copy does not handle: ${others.map((row) => String(row[0])).join(", ")}`);
  const tables = await rowsOf(connection, "SELECT table_name, sql FROM duckdb_tables() WHERE database_name = $database ORDER BY table_name", params);
  const views = await rowsOf(connection, "SELECT sql FROM duckdb_views() WHERE database_name = $database AND NOT internal ORDER BY view_name", params);
  const indexes = await rowsOf(connection, "SELECT index_name, sql FROM duckdb_indexes() WHERE database_name = $database ORDER BY table_name, index_name", params);
  const catalog: DatabaseCatalog = { tables: [], views: views.map((row) => String(row[0])), indexes: indexes.map(([name, sql]) => ({ name: String(name), sql: String(sql) })) };
  for (const [name, sql] of tables) {
    const rows = await queryNumber(connection, `SELECT count(*) FROM ${sqlIdentifier(database)}.main.${sqlIdentifier(String(name))}`);
    catalog.tables.push({ name: String(name), sql: String(sql), rows });
  }
  return catalog;
}

/**
 * Copies an attached database's tables, rows and views into the connection's own (empty) database: the tables first,
 * then the rows table by table under the import's memory bound (or `memoryLimit`, the run's setting). Its indexes come
 * later (copyIndexes).
 */
export async function copyRows(connection: DuckDBConnection, source: string, catalog: DatabaseCatalog, memoryLimit: string | null, onTable: (table: string) => void): Promise<void> {
  for (const table of catalog.tables) await connection.run(table.sql);
  const memory = new DuckDBMemory(connection, memoryLimit);
  await memory.bound("import");
  for (const table of catalog.tables) {
    onTable(table.name);
    const name = sqlIdentifier(table.name);
    await connection.run("BEGIN TRANSACTION");
    const insert = () => memory.retryInTransaction(() => connection.run(`INSERT INTO main.${name} SELECT * FROM ${sqlIdentifier(source)}.main.${name}`));
    await memory.onRowsOf(table.name, insert);
    await connection.run("COMMIT");
  }
  for (const view of catalog.views) await connection.run(view);
}

/**
 * The rows that differ between the copy and its source, table by table: the number of rows and the sum of the rows'
 * hashes (a multiset's fingerprint: a row lost, changed or doubled changes it). Returns the tables that differ.
 */
export async function rowDifferences(connection: DuckDBConnection, source: string, catalog: DatabaseCatalog): Promise<string[]> {
  const target = await currentDatabase(connection);
  const fingerprint = async (database: string, table: string) => {
    const [row] = await rowsOf(connection, `SELECT count(*)::VARCHAR || ':' || coalesce(sum(hash(t)::HUGEINT), 0)::VARCHAR FROM ${sqlIdentifier(database)}.main.${sqlIdentifier(table)} AS t`, {});
    return String(row?.[0]);
  };
  const differences: string[] = [];
  // Rows that may be large on one thread, under more memory when they run out of the bound the copy left.
  const memory = new DuckDBMemory(connection);
  for (const table of catalog.tables) {
    const differs = async () => (await fingerprint(source, table.name)) !== (await fingerprint(target, table.name));
    const large = () => memory.retryWithMoreMemory(() => onFewerThreads(connection, 1, differs), () => undefined);
    if (await (holdsLargeRows(table.name) ? large() : differs())) differences.push(`table ${table.name}`);
  }
  return differences;
}

/**
 * Makes the catalog's indexes over the copied rows, one at a time, as an import into a new database makes them
 * (pending-indexes.ts): kept up while 5 million rows go in, they would all be in memory at once. Returns what the
 * copy's catalog then lacks or has more of than the source's (its tables, views and indexes by name).
 */
export async function copyIndexes(connection: DuckDBConnection, catalog: DatabaseCatalog): Promise<string[]> {
  await makeIndexesOverRows(connection, catalog.indexes.map((index) => index.sql));
  const copied = await readCatalog(connection, await currentDatabase(connection));
  const names = (list: { name: string }[]) => list.map((entry) => entry.name).join(",");
  const differences: string[] = [];
  if (names(copied.tables) !== names(catalog.tables)) differences.push("tables");
  if (copied.views.join("\n") !== catalog.views.join("\n")) differences.push("views");
  if (names(copied.indexes) !== names(catalog.indexes)) differences.push("indexes");
  return differences;
}

/** Whether the catalog is AI Observer's: its three telemetry tables. */
export function hasTelemetryTables(catalog: DatabaseCatalog): boolean {
  return TELEMETRY_TABLES.every((table) => catalog.tables.some((entry) => entry.name === table));
}
