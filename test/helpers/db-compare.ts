import { query } from "./duckdb-read.ts";

const TABLES = ["otel_logs", "otel_metrics", "otel_traces"] as const;

/**
 * Rows of each table that are in one database and not the other (as multisets); `exclude`: columns left out of the
 * comparison (ResourceAttributes, for rows read on different machines).
 */
export async function tableDifferences(a: string, b: string, exclude: readonly string[] = []): Promise<Record<string, { onlyA: number; onlyB: number; rows: number }>> {
  const result: Record<string, { onlyA: number; onlyB: number; rows: number }> = {};
  const columns = exclude.length > 0 ? `* EXCLUDE (${exclude.join(", ")})` : "*";
  for (const table of TABLES) {
    const rows = await query(
      `ATTACH '${a}' AS a (READ_ONLY); ATTACH '${b}' AS b (READ_ONLY);
       SELECT (SELECT count(*) FROM (SELECT ${columns} FROM a.${table} EXCEPT ALL SELECT ${columns} FROM b.${table}))::INTEGER AS only_a,
              (SELECT count(*) FROM (SELECT ${columns} FROM b.${table} EXCEPT ALL SELECT ${columns} FROM a.${table}))::INTEGER AS only_b,
              (SELECT count(*) FROM a.${table})::INTEGER AS n`,
    );
    result[table] = { onlyA: Number(rows[0]?.only_a), onlyB: Number(rows[0]?.only_b), rows: Number(rows[0]?.n) };
  }
  return result;
}

export async function countByService(db: string): Promise<Record<string, number>> {
  const rows = await query(
    "SELECT ServiceName AS s, count(*)::INTEGER AS n FROM (SELECT ServiceName FROM otel_logs UNION ALL SELECT ServiceName FROM otel_metrics) GROUP BY ALL ORDER BY 1",
    {},
    db,
  );
  return Object.fromEntries(rows.map((row) => [String(row.s), Number(row.n)]));
}
