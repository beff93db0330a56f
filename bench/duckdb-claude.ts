/**
 * The DuckDB baseline for `export claude-code --from-files`: one `read_ndjson` query over the same files doing
 * the same dedup (message.id + requestId, keep the copy with the largest output) and the token sums.
 *
 *   bun bench/duckdb-claude.ts <projects dir>      → prints {"responses":N,"input":…,"output":…,"cacheCreation":…,"cacheRead":…}
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { sqlString } from "./sql.ts";

const projects = process.argv[2];
if (!projects) {
  console.error("usage: bun bench/duckdb-claude.ts <projects dir>");
  process.exit(2);
}

const glob = sqlString(`${projects}/**/*.jsonl`);
const sql = `
WITH lines AS (
  SELECT message.id AS mid, coalesce(requestId, '') AS rid, message.usage AS u
  FROM read_ndjson(${glob},
    columns = {
      type: 'VARCHAR',
      requestId: 'VARCHAR',
      message: 'STRUCT(id VARCHAR, model VARCHAR, usage STRUCT(input_tokens BIGINT, output_tokens BIGINT, cache_creation_input_tokens BIGINT, cache_read_input_tokens BIGINT))'
    },
    ignore_errors = true,
    maximum_object_size = 67108864)
  WHERE type = 'assistant' AND message.usage IS NOT NULL AND message.id IS NOT NULL
    AND coalesce(message.model, '') <> '<synthetic>'
),
responses AS (
  SELECT mid, rid, arg_max(u, u.output_tokens) AS u FROM lines GROUP BY mid, rid
)
SELECT count(*)::BIGINT,
       coalesce(sum(u.input_tokens), 0)::BIGINT,
       coalesce(sum(u.output_tokens), 0)::BIGINT,
       coalesce(sum(u.cache_creation_input_tokens), 0)::BIGINT,
       coalesce(sum(u.cache_read_input_tokens), 0)::BIGINT
FROM responses`;

const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();
const reader = await connection.runAndReadAll(sql);
const row = reader.getRows()[0] ?? [];
const value = (i: number) => Number(row[i] ?? 0);
console.log(JSON.stringify({ responses: value(0), input: value(1), output: value(2), cacheCreation: value(3), cacheRead: value(4) }));
connection.closeSync();
instance.closeSync();
