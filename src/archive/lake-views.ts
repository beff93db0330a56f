import { tableColumns } from "../db/table-columns.ts";
import type { ExportTable } from "./tables.ts";

/** How a lake's partition columns are read (lake-files.ts): the UTC day as a DATE, the service as text. */
const PARTITIONS = "hive_partitioning = true, hive_types = {'date': DATE, 'service': VARCHAR}";

/** A string literal for DuckDB SQL: views cannot take bound parameters. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The query of a view over one table of a lake: its partitions under `tableFolder` (relative, for the lake's own views
 * database, or absolute), with the partition columns `date` and `service` after the table's; with no partition yet,
 * the same columns and no rows (DuckDB refuses a pattern that matches no file).
 */
export function lakeTableQuery(table: ExportTable, tableFolder: string, hasFiles: boolean): string {
  if (hasFiles) return `SELECT * FROM read_parquet(${sqlString(`${tableFolder}/*/*/*.parquet`)}, ${PARTITIONS})`;
  const columns = tableColumns(table.table).map((column) => `NULL::${column.kind} AS "${column.name}"`);
  return `SELECT ${columns.join(", ")}, NULL::DATE AS date, NULL::VARCHAR AS service WHERE false`;
}
