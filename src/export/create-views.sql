-- Relative names: DuckDB resolves them against the current directory of whoever opens the
-- views database, so the export folder can be moved or shared as a whole.
CREATE OR REPLACE VIEW traces AS SELECT * FROM read_parquet('traces.parquet');
CREATE OR REPLACE VIEW logs AS SELECT * FROM read_parquet('logs.parquet');
CREATE OR REPLACE VIEW metrics AS SELECT * FROM read_parquet('metrics.parquet');
