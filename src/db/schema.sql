-- AI Observer's schema, exactly as the Go server creates it (go-reference §1.2, §1.3):
-- same names, types, column order, NOT NULL and indexes, so either tool reads the other's file.
-- One difference, in storage only: a table we create keeps the logs' Body and LogAttributes (the
-- transcripts' texts) compressed with zstd; DuckDB leaves such long strings uncompressed. In a file of
-- the v1.2.0 storage format or later (as our import creates them), else DuckDB ignores the clause.
CREATE TABLE IF NOT EXISTS otel_traces (
    Timestamp TIMESTAMP NOT NULL,
    TraceId VARCHAR NOT NULL,
    SpanId VARCHAR NOT NULL,
    ParentSpanId VARCHAR,
    TraceState VARCHAR,
    SpanName VARCHAR NOT NULL,
    SpanKind VARCHAR,
    ServiceName VARCHAR NOT NULL,
    ResourceAttributes JSON,
    ScopeName VARCHAR,
    ScopeVersion VARCHAR,
    SpanAttributes JSON,
    Duration BIGINT,
    StatusCode VARCHAR,
    StatusMessage VARCHAR,
    "Events.Timestamp" JSON,
    "Events.Name" JSON,
    "Events.Attributes" JSON,
    "Links.TraceId" JSON,
    "Links.SpanId" JSON,
    "Links.TraceState" JSON,
    "Links.Attributes" JSON
);

CREATE TABLE IF NOT EXISTS otel_logs (
    Timestamp TIMESTAMP NOT NULL,
    TraceId VARCHAR,
    SpanId VARCHAR,
    TraceFlags UINTEGER,
    SeverityText VARCHAR,
    SeverityNumber INTEGER,
    ServiceName VARCHAR NOT NULL,
    Body VARCHAR USING COMPRESSION zstd,
    ResourceSchemaUrl VARCHAR,
    ResourceAttributes JSON,
    ScopeSchemaUrl VARCHAR,
    ScopeName VARCHAR,
    ScopeVersion VARCHAR,
    ScopeAttributes JSON,
    LogAttributes JSON USING COMPRESSION zstd
);

CREATE TABLE IF NOT EXISTS otel_metrics (
    Timestamp TIMESTAMP NOT NULL,
    ServiceName VARCHAR NOT NULL,
    MetricName VARCHAR NOT NULL,
    MetricDescription VARCHAR,
    MetricUnit VARCHAR,
    ResourceAttributes JSON,
    ScopeName VARCHAR,
    ScopeVersion VARCHAR,
    Attributes JSON,
    MetricType VARCHAR NOT NULL,
    Value DOUBLE,
    AggregationTemporality INTEGER,
    IsMonotonic BOOLEAN,
    Count UBIGINT,
    Sum DOUBLE,
    BucketCounts JSON,
    ExplicitBounds JSON,
    Scale INTEGER,
    ZeroCount UBIGINT,
    PositiveOffset INTEGER,
    PositiveBucketCounts JSON,
    NegativeOffset INTEGER,
    NegativeBucketCounts JSON,
    QuantileValues JSON,
    QuantileQuantiles JSON,
    Min DOUBLE,
    Max DOUBLE
);

CREATE TABLE IF NOT EXISTS dashboards (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    description VARCHAR,
    is_default BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS dashboard_widgets (
    id VARCHAR PRIMARY KEY,
    dashboard_id VARCHAR NOT NULL,
    widget_type VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    grid_column INTEGER NOT NULL,
    grid_row INTEGER NOT NULL,
    col_span INTEGER NOT NULL DEFAULT 1,
    row_span INTEGER NOT NULL DEFAULT 1,
    config JSON,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE IF NOT EXISTS import_state (
    source VARCHAR NOT NULL,
    file_path VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    record_count INTEGER NOT NULL,
    PRIMARY KEY (source, file_path)
);
