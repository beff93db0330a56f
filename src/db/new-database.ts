import { rmSync } from "node:fs";
import { loadDuckDB, type DuckDBConnection } from "./duckdb.ts";
import { createSchema } from "./schema.ts";

/**
 * Writes a new database file in AI Observer's schema (replacing any file there) and lets
 * `fill` add rows; checkpointed and closed when done. For demos, fixtures and benchmarks: in DuckDB's default storage
 * format, as the Go server makes its databases, unless `storage` names another (NEW_DATABASE_STORAGE in
 * storage-version.ts: as our import).
 */
export async function writeNewDatabase(path: string, fill: (connection: DuckDBConnection) => Promise<void>, storage: string | null = null): Promise<void> {
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
  const duckdb = await loadDuckDB();
  const instance = await duckdb.DuckDBInstance.create(path, storage === null ? {} : { storage_compatibility_version: storage });
  const connection = await instance.connect();
  try {
    await createSchema(connection);
    await fill(connection);
    await connection.run("CHECKPOINT");
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
