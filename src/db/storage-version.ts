import type { DuckDBConnection } from "./duckdb.ts";

/**
 * The storage format of the databases our import creates (DuckDB's `storage_compatibility_version`): files that DuckDB
 * 1.2 and later read, the Go AI Observer 0.4+ included (DuckDB 1.5.3+). DuckDB's default for a new file is the format
 * that DuckDB 1.0 reads, which the Go server's own databases have. In the newer one, an import of a day's sessions into
 * 5 million metric rows took 0.7-1.2 instead of 7.5-8.1 s and 233-253 instead of 511-634 MB (the COMMIT and the
 * checkpoint no longer load and write the whole low-cardinality indexes), and long texts are compressed: the 400 MB
 * Claude tree with transcripts made a 95 MB database instead of 574 MB (docs/performance.md [S14]).
 */
export const NEW_DATABASE_STORAGE = "v1.2.0";

/** The name of the connection's database. */
export async function currentDatabase(connection: DuckDBConnection): Promise<string> {
  return String((await connection.runAndReadAll("SELECT current_database()")).getRows()[0]?.[0]);
}

/** The storage format DuckDB recorded for an attached database (`v1.0.0+`, `v1.2.0+`, …). */
export async function storageVersion(connection: DuckDBConnection, database: string): Promise<string> {
  const reader = await connection.runAndReadAll("SELECT tags['storage_version']::VARCHAR FROM duckdb_databases() WHERE database_name = $database", { database });
  return String(reader.getRows()[0]?.[0] ?? "");
}

/** Whether the connection's database is in an older storage format than the one our import creates databases in. */
export async function inOlderStorage(connection: DuckDBConnection): Promise<boolean> {
  return !storageAtLeast(await storageVersion(connection, await currentDatabase(connection)), NEW_DATABASE_STORAGE);
}

/** Whether a storage format is at least `major.minor` (the `+` DuckDB appends means "or later"). */
export function storageAtLeast(version: string, wanted: string): boolean {
  const parse = (text: string) => (/^v?(\d+)\.(\d+)/.exec(text) ?? []).slice(1, 3).map(Number);
  const [major = 0, minor = 0] = parse(version);
  const [wantMajor = 0, wantMinor = 0] = parse(wanted);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}
