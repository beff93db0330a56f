/**
 * Filter queries over two exports of the same rows, one written by `export --from-files` (our Parquet writer) and
 * one by `export` from a database (DuckDB's COPY): DuckDB's time for each on both, the same answer required. An
 * archive made from session files should be as quick to query as one made from a database (issue 17: within 1.1x).
 *
 *   bun bench/parquet-filters.ts <from-files export dir> <database export dir> [--runs 20]
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import { flagValue } from "./args.ts";
import { median } from "./median.ts";
import { sqlString } from "./sql.ts";

export interface FilterTiming {
  query: string;
  filesMs: number;
  databaseMs: number;
  sameAnswer: boolean;
}

const metrics = (dir: string) => sqlString(join(dir, "metrics.parquet"));

const QUERIES = [
  { name: "metrics WHERE MetricName = cost", sql: (dir: string) => `SELECT count(*), round(sum(Value), 6) FROM read_parquet(${metrics(dir)}) WHERE MetricName = 'claude_code.cost.usage'` },
  { name: "metrics WHERE ServiceName = another tool", sql: (dir: string) => `SELECT count(*) FROM read_parquet(${metrics(dir)}) WHERE ServiceName = 'codex_cli_rs'` },
  { name: "metrics GROUP BY MetricName", sql: (dir: string) => `SELECT MetricName, count(*), round(sum(Value), 6) FROM read_parquet(${metrics(dir)}) GROUP BY 1 ORDER BY 1` },
  { name: "logs WHERE SeverityText, ServiceName", sql: (dir: string) => `SELECT count(*) FROM read_parquet(${sqlString(join(dir, "logs.parquet"))}) WHERE SeverityText = 'INFO' AND ServiceName = 'claude-code'` },
];

/** Median milliseconds of each query on each export, in alternation (each first in every other run: no order bias). */
export async function filterTimings(filesDir: string, databaseDir: string, runs = 20): Promise<FilterTiming[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const answer = async (sql: string) => JSON.stringify((await connection.runAndReadAll(sql)).getRows().map((row) => row.map(String)));
  const timings: FilterTiming[] = [];
  try {
    for (const query of QUERIES) {
      const files = query.sql(filesDir);
      const database = query.sql(databaseDir);
      const sameAnswer = (await answer(files)) === (await answer(database)); // also warms both
      const filesMs: number[] = [];
      const databaseMs: number[] = [];
      for (let run = 0; run < runs; run++) {
        const pair = [[files, filesMs], [database, databaseMs]] as const;
        for (const [sql, times] of run % 2 === 0 ? pair : [...pair].reverse()) {
          const started = performance.now();
          await connection.runAndReadAll(sql);
          times.push(performance.now() - started);
        }
      }
      timings.push({ query: query.name, filesMs: median(filesMs), databaseMs: median(databaseMs), sameAnswer });
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return timings;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf("--runs");
  const [filesDir, databaseDir] = args.filter((_, i) => runsAt < 0 || (i !== runsAt && i !== runsAt + 1));
  if (!filesDir || !databaseDir) {
    console.error("usage: bun bench/parquet-filters.ts <from-files export dir> <database export dir> [--runs 20]");
    process.exit(2);
  }
  for (const timing of await filterTimings(filesDir, databaseDir, Number(flagValue("--runs", "20")))) {
    console.log(`${timing.query}: from files ${timing.filesMs.toFixed(2)} ms, from the database ${timing.databaseMs.toFixed(2)} ms, ratio ${(timing.filesMs / timing.databaseMs).toFixed(2)}${timing.sameAnswer ? "" : " (DIFFERENT ANSWERS)"}`);
  }
}
