import type { DuckDBConnection } from "./duckdb.ts";

/** The first value of the first row `sql` gives, as a number (0 without one): a count, a sum, rows changed. */
export async function queryNumber(connection: DuckDBConnection, sql: string, params?: Record<string, string | null>): Promise<number> {
  const reader = await connection.runAndReadAll(sql, params);
  return Number(reader.getRows()[0]?.[0] ?? 0);
}
