/**
 * The baseline for `export all`: a bare script doing only the work that cannot be avoided, the three
 * `COPY … (FORMAT PARQUET, COMPRESSION 'ZSTD')` and the views database.
 *
 *   bun bench/bare-export.ts <db.duckdb> <output dir>
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { sqlString } from "./sql.ts";

const [db, out] = process.argv.slice(2);
if (!db || !out) {
  console.error("usage: bun bench/bare-export.ts <db.duckdb> <output dir>");
  process.exit(2);
}
mkdirSync(out, { recursive: true });

const source = await DuckDBInstance.create(db, { access_mode: "READ_ONLY" });
const connection = await source.connect();
for (const [table, file] of [["otel_traces", "traces"], ["otel_logs", "logs"], ["otel_metrics", "metrics"]] as const) {
  await connection.run(`COPY (SELECT * FROM ${table}) TO ${sqlString(join(out, `${file}.parquet`))} (FORMAT PARQUET, COMPRESSION 'ZSTD')`);
}
connection.closeSync();
source.closeSync();

const views = await DuckDBInstance.create(join(out, "views.duckdb"));
const viewsConnection = await views.connect();
process.chdir(out);
await viewsConnection.run(`
  CREATE OR REPLACE VIEW traces AS SELECT * FROM read_parquet('traces.parquet');
  CREATE OR REPLACE VIEW logs AS SELECT * FROM read_parquet('logs.parquet');
  CREATE OR REPLACE VIEW metrics AS SELECT * FROM read_parquet('metrics.parquet');
  CHECKPOINT;`);
viewsConnection.closeSync();
views.closeSync();
