-- {{table}} is one of otel_traces, otel_logs, otel_metrics; every value is a bound parameter.
SELECT count(*) AS row_count
FROM {{table}}
WHERE {{filter}}
