import { expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { openOrCreateDatabase } from "../src/db/open.ts";
import { query } from "./helpers/duckdb-read.ts";
import { runCli } from "./helpers/run-cli.ts";
import { tempDir } from "./helpers/temp.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

test("export all ends a row group of long log texts at 32 MB, before its 61,440 rows, and keeps every row", async () => {
  // 40,000 log rows of ~2.6 KB of text each (~105 MB): under the rows' limit, over the bytes' three times.
  const db = join(tempDir("db-"), "ai-observer.duckdb");
  const opened = await openOrCreateDatabase(db);
  try {
    await opened.connection.run(`INSERT INTO otel_logs (Timestamp, ServiceName, Body, LogAttributes)
      SELECT TIMESTAMP '2026-06-10 09:00:00' + INTERVAL (i) SECOND, 'gemini_cli', repeat(md5(i::VARCHAR), 80), json_object('event.name', 'transcript.message', 'n', i)
      FROM range(40000) r(i)`);
  } finally {
    opened.close();
  }
  const out = join(tempDir("out-"), "export");
  const run = await runCli(["export", "all", "--db", db, "--output", out, "--yes"]);
  expect(run.exitCode).toBe(0);
  const logs = join(out, "logs.parquet");
  const groups = await query(`SELECT row_group_id AS id, any_value(row_group_num_rows)::INTEGER AS rows FROM parquet_metadata('${logs}') GROUP BY ALL ORDER BY id`);
  expect(groups.length).toBeGreaterThanOrEqual(4);
  expect(groups.reduce((sum, group) => sum + Number(group.rows), 0)).toBe(40000);
  expect(await query(`SELECT count(DISTINCT Body)::INTEGER AS n, sum(length(Body))::DOUBLE AS chars FROM '${logs}'`)).toEqual([{ n: 40000, chars: 40000 * 32 * 80 }]);
});
