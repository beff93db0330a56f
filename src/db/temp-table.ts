import type { DuckDBConnection } from "./duckdb.ts";
import { LineFile, ScratchFolder } from "./scratch-files.ts";

/** Column name → DuckDB type, both our own constants (never user input). */
export type TempColumns = Record<string, "VARCHAR" | "DOUBLE" | "BIGINT" | "INTEGER" | "BOOLEAN" | "TIMESTAMP">;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function checkIdentifiers(names: readonly string[]): void {
  for (const identifier of names) {
    if (!IDENTIFIER.test(identifier)) throw new Error(`bad identifier ${identifier}`);
  }
}

/**
 * JavaScript rows as a relation DuckDB reads: written to an NDJSON scratch file, which `use` reads with the SQL
 * `source` (a `read_json` of the bound parameter `$rows_file`, or an empty relation of the same columns when there
 * are no rows). Far faster than row-by-row inserts, and nothing is held in DuckDB's memory beyond the statement.
 */
export async function withJsonRows<T>(
  columns: TempColumns,
  rows: Iterable<Record<string, unknown>>,
  use: (source: string, params: { rows_file: string }, count: number) => Promise<T>,
): Promise<T> {
  checkIdentifiers(Object.keys(columns));
  const folder = new ScratchFolder("ai-observer-temp-");
  try {
    const lines = new LineFile(folder.file("rows.ndjson"));
    for (const row of rows) lines.write(JSON.stringify(row));
    await lines.close();
    const struct = Object.entries(columns).map(([column, type]) => `${column}: '${type}'`).join(", ");
    const empty = Object.entries(columns).map(([column, type]) => `NULL::${type} AS ${column}`).join(", ");
    const source =
      lines.rows === 0
        ? `(SELECT ${empty} WHERE false AND $rows_file::VARCHAR IS NOT NULL)`
        : `read_json($rows_file, format = 'newline_delimited', columns = {${struct}})`;
    return await use(source, { rows_file: lines.path }, lines.rows);
  } finally {
    folder.dispose();
  }
}

/**
 * A temporary table of JavaScript rows (`withJsonRows`) for `use`, dropped after it. A temporary table is held in
 * memory, uncompressed, as long as it exists: for rows read once, a statement over `withJsonRows` is leaner.
 */
export async function withTempTable<T>(
  connection: DuckDBConnection,
  name: string,
  columns: TempColumns,
  rows: Iterable<Record<string, unknown>>,
  use: () => Promise<T>,
): Promise<T> {
  checkIdentifiers([name]);
  await withJsonRows(columns, rows, (source, params) =>
    connection.run(`CREATE OR REPLACE TEMP TABLE ${name} AS SELECT ${Object.keys(columns).join(", ")} FROM ${source}`, params),
  );
  try {
    return await use();
  } finally {
    // In a transaction that failed this fails too; the rollback takes the table then.
    await connection.run(`DROP TABLE IF EXISTS temp.${name}`).catch(() => undefined);
  }
}
