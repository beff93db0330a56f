import { DuckDBInstance } from "@duckdb/node-api";

/** Opens the database at `path` for writing and gives `work` a way to run statements on it, then closes it. */
export async function withDatabase(path: string, work: (run: (sql: string) => Promise<unknown>) => Promise<void>): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  try {
    await work((sql) => connection.run(sql));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
