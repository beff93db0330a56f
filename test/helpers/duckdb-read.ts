import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";

/** Runs one query in a throwaway in-memory DuckDB and returns rows as objects. */
export async function query(sql: string, params: Record<string, string> = {}, path = ":memory:"): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path, path === ":memory:" ? {} : { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export async function parquetRowCount(file: string): Promise<number> {
  const rows = await query("SELECT count(*)::INTEGER AS n FROM read_parquet($file)", { file });
  return Number(rows[0]?.n);
}

export async function parquetColumns(file: string): Promise<{ name: string; type: string }[]> {
  const rows = await query("SELECT column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM read_parquet($file))", { file });
  return rows.map((row) => ({ name: String(row.name), type: String(row.type) }));
}

export async function parquetCompressions(file: string): Promise<string[]> {
  const rows = await query("SELECT DISTINCT compression FROM parquet_metadata($file)", { file });
  return rows.map((row) => String(row.compression));
}

export async function tableColumns(dbPath: string, table: string): Promise<{ name: string; type: string }[]> {
  const rows = await query(
    "SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = $table ORDER BY ordinal_position",
    { table },
    dbPath,
  );
  return rows.map((row) => ({ name: String(row.name), type: String(row.type) }));
}

/**
 * Runs `sql` against a views database from inside `dir`, in a separate process, as a user who
 * `cd`s into the export folder does (the views resolve their Parquet files against the current
 * folder). Returns the first row as numbers and what the process wrote to stderr.
 */
export function queryViewsDatabase(dir: string, viewsDb: string, sql: string): { row: number[]; stderr: string } {
  const script = `
    import { DuckDBInstance } from "@duckdb/node-api";
    const instance = await DuckDBInstance.create(${JSON.stringify(viewsDb)}, { access_mode: "READ_ONLY" });
    const c = await instance.connect();
    const r = await c.runAndReadAll(${JSON.stringify(sql)});
    console.log(JSON.stringify(r.getRowsJS()[0].map(Number)));`;
  const proc = Bun.spawnSync(["bun", "-e", script], { cwd: dir, env: { ...process.env, NODE_PATH: join(import.meta.dir, "..", "..", "node_modules") } });
  const stdout = proc.stdout.toString();
  return { row: stdout ? (JSON.parse(stdout) as number[]) : [], stderr: proc.stderr.toString() };
}
