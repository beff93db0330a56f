import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadDuckDB } from "../db/duckdb.ts";
import viewsSql from "./create-views.sql" with { type: "text" };

/**
 * Creates the views database inside `dir`, next to the Parquet files. DuckDB resolves
 * `read_parquet('traces.parquet')` against the process's directory when the view is created,
 * and `file_search_path` cannot hold a folder with a comma, so we change directory briefly.
 */
export async function createViewsDatabase(dir: string, fileName: string): Promise<string> {
  const path = join(dir, fileName);
  const duckdb = await loadDuckDB();
  const instance = await duckdb.DuckDBInstance.create(path);
  const connection = await instance.connect();
  const previous = process.cwd();
  try {
    process.chdir(dir);
    await connection.run(viewsSql);
    await connection.run("CHECKPOINT");
  } finally {
    process.chdir(previous);
    connection.closeSync();
    instance.closeSync();
  }
  if (existsSync(`${path}.wal`)) throw new Error(`DuckDB left a write-ahead log next to ${fileName}`);
  return path;
}
