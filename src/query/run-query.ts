import type { DuckDBConnection, Json } from "../db/duckdb.ts";
import { CliError, errorMessage, firstLine } from "../shared/errors.ts";

type ColumnKind = "integer" | "decimal" | "float" | "other";

export interface QueryColumn {
  name: string;
  /** DuckDB's type, as DuckDB writes it (`BIGINT`, `DECIMAL(18,2)`, `VARCHAR`). */
  type: string;
  kind: ColumnKind;
}

/** A query's result, read chunk by chunk (so a large result is never held whole unless a printer needs it). */
export interface QueryRows {
  columns: QueryColumn[];
  /** Each chunk's rows; values as DuckDB's JSON form (64-bit integers and decimals as text, timestamps as text). */
  chunks: AsyncIterable<Json[][]>;
}

function kindOf(type: string): ColumnKind {
  if (/^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(type)) return "integer";
  if (type.startsWith("DECIMAL")) return "decimal";
  if (type === "DOUBLE" || type === "FLOAT") return "float";
  return "other";
}

/** DuckDB's rejection of a statement, as one line (its parser's wrapper taken off). */
function queryFailure(error: unknown): CliError {
  return new CliError(`query failed: ${firstLine(errorMessage(error).replace(/^Failed to extract statements: /, ""))}`);
}

/** Runs `sql` (the user's, or a report's) with bound `params`; a statement DuckDB rejects is one line. */
export async function runQuery(connection: DuckDBConnection, sql: string, params?: Record<string, string | null>): Promise<QueryRows> {
  let result: Awaited<ReturnType<DuckDBConnection["stream"]>>;
  try {
    result = await connection.stream(sql, params);
  } catch (error) {
    throw queryFailure(error);
  }
  const types = result.columnTypes().map(String);
  const columns = result.columnNames().map((name, index) => ({ name, type: types[index] as string, kind: kindOf(types[index] as string) }));
  async function* chunks(): AsyncIterable<Json[][]> {
    try {
      for await (const rows of result.yieldRowsJson()) yield rows;
    } catch (error) {
      throw queryFailure(error);
    }
  }
  return { columns, chunks: chunks() };
}
