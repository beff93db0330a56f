import type { StagedEvent } from "../staging/staged-file.ts";
import type { StagedRows } from "../staging/staged-rows.ts";
import type { DuckDBConnection } from "./duckdb.ts";
import stagedLogsSql from "./staged-logs.sql" with { type: "text" };
import stagedMetricsSql from "./staged-metrics.sql" with { type: "text" };

export interface InsertedCounts {
  logs: number;
  metrics: number;
}

const WINNERS_TABLE = "staged_winners";

function stagedSelect(template: string, file: string): string {
  return template.replaceAll("{{file}}", file).replaceAll("{{winners}}", WINNERS_TABLE);
}

/** A DuckDB string literal (a view's definition cannot hold bound parameters). */
function quoted(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

async function loadWinners(connection: DuckDBConnection, rows: StagedRows, winners: readonly StagedEvent[]): Promise<void> {
  const file = rows.writeWinners(winners);
  await connection.run(
    `CREATE OR REPLACE TEMP TABLE ${WINNERS_TABLE} AS
     SELECT q FROM read_csv($file, header = false, auto_detect = false, delim = '\t', quote = '', escape = '', columns = {q: 'BIGINT'})`,
    { file },
  );
}

async function countOf(connection: DuckDBConnection, sql: string, file: string): Promise<number> {
  const result = await connection.run(sql, { file });
  return Number((await result.getRows())[0]?.[0] ?? 0);
}

/** Inserts the staged rows of `winners` into otel_logs and otel_metrics, inside the caller's transaction (import). */
export async function insertStagedRows(connection: DuckDBConnection, rows: StagedRows, winners: readonly StagedEvent[]): Promise<InsertedCounts> {
  rows.close();
  await loadWinners(connection, rows, winners);
  const logs = await countOf(connection, `INSERT INTO otel_logs ${stagedSelect(stagedLogsSql, "$file")}`, rows.logsPath);
  const metrics = await countOf(connection, `INSERT INTO otel_metrics ${stagedSelect(stagedMetricsSql, "$file")}`, rows.metricsPath);
  return { logs, metrics };
}

/**
 * Replaces the tables otel_logs and otel_metrics by views of the staged rows of `winners`, so
 * that an export reads them straight from the staged files (export --from-files: the rows are
 * read once, by the COPY, and never loaded into tables). The files must outlive the views' use.
 */
export async function viewStagedRows(connection: DuckDBConnection, rows: StagedRows, winners: readonly StagedEvent[]): Promise<void> {
  rows.close();
  await loadWinners(connection, rows, winners);
  for (const [table, template, file] of [
    ["otel_logs", stagedLogsSql, rows.logsPath],
    ["otel_metrics", stagedMetricsSql, rows.metricsPath],
  ] as const) {
    await connection.run(`DROP TABLE ${table}`);
    await connection.run(`CREATE VIEW ${table} AS ${stagedSelect(template, quoted(file))}`);
  }
}
