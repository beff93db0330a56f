-- {{table}} is one of otel_traces, otel_logs, otel_metrics; the path and every value are bound
-- parameters, so no output path can break the statement. All columns, in table order.
COPY (
  SELECT *
  FROM {{table}}
  WHERE {{filter}}
) TO $path (FORMAT PARQUET, COMPRESSION 'ZSTD')
