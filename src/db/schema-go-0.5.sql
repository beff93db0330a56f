-- What the Go server (0.4 and later) adds to a database on every open (go-reference-2026 §1.2-1.4): the compound
-- indexes of 0.4, then the import_state columns of its `watch` mode. Run on databases we create, so that they are what
-- Go 0.5 creates; an existing database is left as its writer made it (Go adds these itself when it opens one).
CREATE INDEX IF NOT EXISTS idx_traces_service_timestamp ON otel_traces(ServiceName, Timestamp);
CREATE INDEX IF NOT EXISTS idx_traces_trace_timestamp ON otel_traces(TraceId, Timestamp);
CREATE INDEX IF NOT EXISTS idx_traces_service_trace_span ON otel_traces(ServiceName, TraceId, SpanId);
CREATE INDEX IF NOT EXISTS idx_traces_trace_span ON otel_traces(TraceId, SpanId);
CREATE INDEX IF NOT EXISTS idx_traces_service_span_name ON otel_traces(ServiceName, SpanName);
CREATE INDEX IF NOT EXISTS idx_logs_service_timestamp ON otel_logs(ServiceName, Timestamp);
CREATE INDEX IF NOT EXISTS idx_logs_trace_timestamp ON otel_logs(TraceId, Timestamp);
CREATE INDEX IF NOT EXISTS idx_logs_severity_timestamp ON otel_logs(SeverityText, Timestamp);
CREATE INDEX IF NOT EXISTS idx_metrics_name_service_timestamp ON otel_metrics(MetricName, ServiceName, Timestamp);
CREATE INDEX IF NOT EXISTS idx_metrics_service_timestamp ON otel_metrics(ServiceName, Timestamp);
CREATE INDEX IF NOT EXISTS idx_metrics_name_timestamp ON otel_metrics(MetricName, Timestamp);
ALTER TABLE import_state ADD COLUMN IF NOT EXISTS byte_offset BIGINT DEFAULT 0;
ALTER TABLE import_state ADD COLUMN IF NOT EXISTS message_count INTEGER DEFAULT 0;
ALTER TABLE import_state ADD COLUMN IF NOT EXISTS parser_state VARCHAR;
