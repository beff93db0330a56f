/**
 * The DuckDB baseline for `export claude-code --from-files --transcripts`: one query that reads every user and
 * assistant line's content (the transcript's text) with `read_ndjson` and writes it as ZSTD Parquet, as the export
 * must. It does less than we do (no row per block, no attributes, no usage rows), so it is a floor, not a peer.
 *
 * With `twice`, the content is written a second time, in a column of its own (with a newline added, so that nothing
 * can share it): the export holds each tool output twice, as Go stores it (the `Body` and the `tool.output`
 * attribute), and its logs.parquet is about that size (63 against 70 MB on the 400 MB tree).
 *
 *   bun bench/duckdb-transcripts.ts <projects dir> <output.parquet> [twice]   → prints {"lines":N}
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { sqlString } from "./sql.ts";

const [projects, output, copies] = process.argv.slice(2);
if (!projects || !output || (copies !== undefined && copies !== "twice")) {
  console.error("usage: bun bench/duckdb-transcripts.ts <projects dir> <output.parquet> [twice]");
  process.exit(2);
}
const second = copies === "twice" ? ", message.content::VARCHAR || chr(10) AS content_again" : "";

const sql = `
COPY (
  SELECT type, uuid, timestamp, message.id AS message_id, message.model AS model, message.content::VARCHAR AS content${second}
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
