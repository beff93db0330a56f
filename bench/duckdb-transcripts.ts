/**
 * The DuckDB baseline for `export claude-code --from-files --transcripts`: one query that reads every user and
 * assistant line's content (the transcript's text) with `read_ndjson` and writes it as ZSTD Parquet, as the export
 * must. It does less than we do (no row per block, no attributes, no usage rows), so it is a floor, not a peer.
 *
 *   bun bench/duckdb-transcripts.ts <projects dir> <output.parquet>   → prints {"lines":N}
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { sqlString } from "./sql.ts";

const [projects, output] = process.argv.slice(2);
if (!projects || !output) {
  console.error("usage: bun bench/duckdb-transcripts.ts <projects dir> <output.parquet>");
  process.exit(2);
}

const sql = `
COPY (
  SELECT type, uuid, timestamp, message.id AS message_id, message.model AS model, message.content::VARCHAR AS content
  FROM read_ndjson(${sqlString(`${projects}/**/*.jsonl`)},
    columns = { type: 'VARCHAR', uuid: 'VARCHAR', timestamp: 'VARCHAR', message: 'STRUCT(id VARCHAR, model VARCHAR, content JSON)' },
    ignore_errors = true,
    maximum_object_size = 67108864)
  WHERE type IN ('user', 'assistant')
) TO ${sqlString(output)} (FORMAT parquet, COMPRESSION zstd)`;

const instance = await DuckDBInstance.create(":memory:");
const connection = await instance.connect();
const result = await connection.run(sql);
console.log(JSON.stringify({ lines: Number((await result.getRows())[0]?.[0] ?? 0) }));
connection.closeSync();
instance.closeSync();
