/** Row-for-row comparison of what two executables wrote (Parquet files, databases), through DuckDB. */
import { loadDuckDB } from "../../src/db/duckdb.ts";

export interface RowDifference {
  /** Rows in the first relation only, in the second only (as multisets: EXCEPT ALL), and the first's count. */
  onlyFirst: number;
  onlySecond: number;
  rows: number;
}

function sqlText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** `read_parquet` of a file, for `compareRelations`. */
export function parquetRelation(path: string): string {
  return `SELECT * FROM read_parquet(${sqlText(path)})`;
}

/**
 * A table of an attached database, with `file_path` written the Linux way (`Z:\tmp\x` → `/tmp/x`: Wine's drive
 * Z: is the Linux root) and the columns that record when or from which clock a row was made left out.
 */
export function tableRelation(alias: string, table: string, columns: readonly string[]): string {
  const skip = columns.filter((name) => ["imported_at", "mtime_ms"].includes(name));
  const exclude = skip.length > 0 ? ` EXCLUDE (${skip.join(", ")})` : "";
  const replace = columns.includes("file_path") ? ` REPLACE (replace(regexp_replace(file_path, '^[A-Za-z]:', ''), '\\', '/') AS file_path)` : "";
  return `SELECT *${exclude}${replace} FROM ${alias}.${table}`;
}

/** Opens an in-memory DuckDB, attaches `databases` read-only (alias → path), and hands a comparer to `work`. */
export async function withComparer<T>(
  databases: Record<string, string>,
  work: (compare: (first: string, second: string) => Promise<RowDifference>, columnsOf: (alias: string, table: string) => Promise<string[]>) => Promise<T>,
): Promise<T> {
  const { DuckDBInstance } = await loadDuckDB();
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const [alias, path] of Object.entries(databases)) await connection.run(`ATTACH ${sqlText(path)} AS ${alias} (READ_ONLY)`);
    const compare = async (first: string, second: string): Promise<RowDifference> => {
      const reader = await connection.runAndReadAll(
        `SELECT (SELECT count(*) FROM (${first} EXCEPT ALL ${second}))::BIGINT, (SELECT count(*) FROM (${second} EXCEPT ALL ${first}))::BIGINT, (SELECT count(*) FROM (${first}))::BIGINT`,
      );
      const [onlyFirst, onlySecond, rows] = (reader.getRows()[0] ?? []).map(Number);
      return { onlyFirst: onlyFirst ?? -1, onlySecond: onlySecond ?? -1, rows: rows ?? -1 };
    };
    const columnsOf = async (alias: string, table: string): Promise<string[]> => {
      const reader = await connection.runAndReadAll(
        `SELECT column_name FROM information_schema.columns WHERE table_catalog = ${sqlText(alias)} AND table_name = ${sqlText(table)} ORDER BY ordinal_position`,
      );
      return reader.getRows().map((row) => String(row[0]));
    };
    return await work(compare, columnsOf);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
