-- Distinct traces among the spans the filter selects (delete's preview shows both).
SELECT count(DISTINCT TraceId) AS trace_count
FROM otel_traces
WHERE {{filter}}
