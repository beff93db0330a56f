-- AI Observer's indexes (go-reference §1.3), in the Go server's order.
CREATE INDEX IF NOT EXISTS idx_traces_timestamp ON otel_traces(Timestamp);
CREATE INDEX IF NOT EXISTS idx_traces_trace_id ON otel_traces(TraceId);
CREATE INDEX IF NOT EXISTS idx_traces_service_name ON otel_traces(ServiceName);
CREATE INDEX IF NOT EXISTS idx_logs_timestamp ON otel_logs(Timestamp);
CREATE INDEX IF NOT EXISTS idx_logs_severity ON otel_logs(SeverityNumber);
CREATE INDEX IF NOT EXISTS idx_logs_trace_id ON otel_logs(TraceId);
CREATE INDEX IF NOT EXISTS idx_logs_service_name ON otel_logs(ServiceName);
CREATE INDEX IF NOT EXISTS idx_metrics_timestamp ON otel_metrics(Timestamp);
CREATE INDEX IF NOT EXISTS idx_metrics_name ON otel_metrics(MetricName);
CREATE INDEX IF NOT EXISTS idx_metrics_type ON otel_metrics(MetricType);
CREATE INDEX IF NOT EXISTS idx_metrics_service_name ON otel_metrics(ServiceName);
CREATE INDEX IF NOT EXISTS idx_dashboards_is_default ON dashboards(is_default);
CREATE INDEX IF NOT EXISTS idx_dashboard_widgets_dashboard_id ON dashboard_widgets(dashboard_id);
CREATE INDEX IF NOT EXISTS idx_import_state_source ON import_state(source);
