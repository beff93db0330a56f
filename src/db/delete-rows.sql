-- {{table}} is one of otel_traces, otel_logs, otel_metrics; every value is a bound parameter.
DELETE FROM {{table}}
WHERE {{filter}}
