/**
 * The only place that loads DuckDB. It is imported lazily so that `--help` and
 * `--version` start without loading the native library.
 */
export type DuckDBModule = typeof import("@duckdb/node-api");
export type DuckDBInstance = import("@duckdb/node-api").DuckDBInstance;
export type DuckDBConnection = import("@duckdb/node-api").DuckDBConnection;
type DuckDBValue = import("@duckdb/node-api").DuckDBValue;
/** A value as DuckDB gives it for JSON: 64-bit integers, decimals and timestamps as text. */
export type Json = import("@duckdb/node-api").Json;

let loaded: Promise<DuckDBModule> | undefined;

export function loadDuckDB(): Promise<DuckDBModule> {
  loaded ??= import("@duckdb/node-api");
  return loaded;
}

