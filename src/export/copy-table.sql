-- {{table}} is one of otel_traces, otel_logs, otel_metrics; the path and every value are bound
-- parameters, so no output path can break the statement. All columns, in table order.
-- The kv_metadata placeholder is empty, or the key-value pair that marks an archive whose rows are deleted.
-- Row groups of 61,440 rows (half DuckDB's default): each writer thread buffers one, and with
-- the default a 5-million-row export peaked anywhere between 430 and 600 MB; now ~420 MB. And no larger
-- than the table's row group bytes (copy-shape.ts): 61,440 log rows with transcripts' texts are ~150 MB.
COPY (
  SELECT *
  FROM {{table}}
  WHERE {{filter}}
) TO $path (FORMAT PARQUET, COMPRESSION 'ZSTD', ROW_GROUP_SIZE 61440, ROW_GROUP_SIZE_BYTES '{{row_group_bytes}}'{{kv_metadata}})
