import { join } from "node:path";
import { EXPORT_TABLES, type TableKey } from "../archive/tables.ts";
import { lakeTableQuery } from "../archive/lake-views.ts";
import { LAKE_VIEWS_FILE } from "../archive/lake-files.ts";
import { writeViewsDatabase } from "./views-db.ts";

/**
 * Writes the lake's views database into `stagingDir`: views `traces`, `logs` and `metrics` over the lake's partitions
 * by relative path (with the partition columns `date` and `service`, which DuckDB prunes on), resolved against the
 * folder of whoever opens it, as an export's views database. DuckDB checks a view's files when it is created, so the
 * views are made with `lakeDir` (holding every partition by then) as the current folder.
 */
export async function createLakeViewsDatabase(stagingDir: string, lakeDir: string, withFiles: ReadonlySet<TableKey>): Promise<string> {
  const path = join(stagingDir, LAKE_VIEWS_FILE);
  const views = EXPORT_TABLES.map((table) => `CREATE OR REPLACE VIEW ${table.key} AS ${lakeTableQuery(table, withFiles.has(table.key) ? `${table.key}/*/*/*.parquet` : [])}`);
  await writeViewsDatabase(path, lakeDir, views);
  return path;
}
