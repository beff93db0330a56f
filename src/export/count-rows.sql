-- {{table}} is one of otel_traces, otel_logs, otel_metrics; every value is a bound parameter.
SELECT count(*) AS row_count
FROM {{table}}
WHERE Timestamp >= $from::TIMESTAMP
  AND Timestamp <= $to::TIMESTAMP
  AND ($service::VARCHAR IS NULL OR ServiceName = $service::VARCHAR)
