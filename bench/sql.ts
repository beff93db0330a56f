/** `text` as an SQL string literal (quotes doubled): for paths in the benchmark's DuckDB statements. */
export const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;
