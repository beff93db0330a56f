import { sqlString } from "../db/sql-template.ts";
import { tableColumns } from "../db/table-columns.ts";
import type { ExportTable } from "./tables.ts";

/** How a lake's partition columns are read (lake-files.ts): the UTC day as a DATE, the service as text. */
const PARTITIONS = "hive_partitioning = true, hive_types = {'date': DATE, 'service': VARCHAR}";

/**
 * The query of a view over one table of a lake, with the partition columns `date` and `service` after the table's:
 * its partitions by `files`, a relative pattern (table, then three levels of `*`, for the lake's own views database) or the
 * files' absolute paths (a pattern would break on a folder named with `*`, `?` or `[`); with no partition yet, the
 * same columns and no rows (DuckDB refuses a pattern that matches no file).
 */
export function lakeTableQuery(table: ExportTable, files: string | readonly string[]): string {
  const paths = typeof files === "string" ? [files] : files;
  if (paths.length > 0) return `SELECT * FROM read_parquet([${paths.map(sqlString).join(", ")}], ${PARTITIONS})`;
  const columns = tableColumns(table.table).map((column) => `NULL::${column.kind} AS "${column.name}"`);
  return `SELECT ${columns.join(", ")}, NULL::DATE AS date, NULL::VARCHAR AS service WHERE false`;
}
