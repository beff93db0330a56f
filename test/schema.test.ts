import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import { openOrCreateDatabase } from "../src/db/open.ts";
import { NEW_DATABASE_STORAGE } from "../src/db/storage-version.ts";
import { createSchema } from "../src/db/schema.ts";
import { tableColumns, query } from "./helpers/duckdb-read.ts";
import { GO_TABLES_SQL } from "./helpers/go-database.ts";
import { tempDir } from "./helpers/temp.ts";

// Tests spawn the CLI and build DuckDB files: more than the default 5 s on a busy 2-core machine.
setDefaultTimeout(120_000);

// Written out from go-reference §1.2 so that a drift in schema.sql shows up here.
const GO_SCHEMA: Record<string, string> = {
  otel_traces:
    "Timestamp TIMESTAMP NN, TraceId VARCHAR NN, SpanId VARCHAR NN, ParentSpanId VARCHAR, TraceState VARCHAR, SpanName VARCHAR NN, SpanKind VARCHAR, ServiceName VARCHAR NN, ResourceAttributes JSON, ScopeName VARCHAR, ScopeVersion VARCHAR, SpanAttributes JSON, Duration BIGINT, StatusCode VARCHAR, StatusMessage VARCHAR, Events.Timestamp JSON, Events.Name JSON, Events.Attributes JSON, Links.TraceId JSON, Links.SpanId JSON, Links.TraceState JSON, Links.Attributes JSON",
  otel_logs:
    "Timestamp TIMESTAMP NN, TraceId VARCHAR, SpanId VARCHAR, TraceFlags UINTEGER, SeverityText VARCHAR, SeverityNumber INTEGER, ServiceName VARCHAR NN, Body VARCHAR, ResourceSchemaUrl VARCHAR, ResourceAttributes JSON, ScopeSchemaUrl VARCHAR, ScopeName VARCHAR, ScopeVersion VARCHAR, ScopeAttributes JSON, LogAttributes JSON",
  otel_metrics:
    "Timestamp TIMESTAMP NN, ServiceName VARCHAR NN, MetricName VARCHAR NN, MetricDescription VARCHAR, MetricUnit VARCHAR, ResourceAttributes JSON, ScopeName VARCHAR, ScopeVersion VARCHAR, Attributes JSON, MetricType VARCHAR NN, Value DOUBLE, AggregationTemporality INTEGER, IsMonotonic BOOLEAN, Count UBIGINT, Sum DOUBLE, BucketCounts JSON, ExplicitBounds JSON, Scale INTEGER, ZeroCount UBIGINT, PositiveOffset INTEGER, PositiveBucketCounts JSON, NegativeOffset INTEGER, NegativeBucketCounts JSON, QuantileValues JSON, QuantileQuantiles JSON, Min DOUBLE, Max DOUBLE",
  // Go 0.4+: three columns added by migration (go-reference-2026 §1.2)
  import_state:
    "source VARCHAR NN, file_path VARCHAR NN, file_hash VARCHAR NN, imported_at TIMESTAMP NN, record_count INTEGER NN, byte_offset BIGINT, message_count INTEGER, parser_state VARCHAR",
};

const GO_02_INDEXES = [
  "idx_traces_timestamp", "idx_traces_trace_id", "idx_traces_service_name", "idx_logs_timestamp", "idx_logs_severity", "idx_logs_trace_id",
  "idx_logs_service_name", "idx_metrics_timestamp", "idx_metrics_name", "idx_metrics_type", "idx_metrics_service_name",
  "idx_dashboards_is_default", "idx_dashboard_widgets_dashboard_id", "idx_import_state_source",
];

// Go 0.4's compound indexes (go-reference-2026 §1.3)
const GO_04_INDEXES = [
  "idx_traces_service_timestamp", "idx_traces_trace_timestamp", "idx_traces_service_trace_span", "idx_traces_trace_span", "idx_traces_service_span_name",
  "idx_logs_service_timestamp", "idx_logs_trace_timestamp", "idx_logs_severity_timestamp",
  "idx_metrics_name_service_timestamp", "idx_metrics_service_timestamp", "idx_metrics_name_timestamp",
];

describe("schema.sql is AI Observer's schema", () => {
  test("tables, column order, types, NOT NULL and indexes match what the Go server 0.5 creates", async () => {
    const path = join(tempDir(), "schema.duckdb");
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await createSchema(connection);
    await createSchema(connection); // idempotent, as the Go server runs it on every start
    connection.closeSync();
    instance.closeSync();

    const defaults = await query(
      "SELECT column_name AS name, column_default AS d FROM information_schema.columns WHERE table_name = 'import_state' AND column_name IN ('byte_offset', 'message_count', 'parser_state') ORDER BY ordinal_position",
      {},
      path,
    );
    expect(defaults).toEqual([{ name: "byte_offset", d: "0" }, { name: "message_count", d: "0" }, { name: "parser_state", d: null }]);
    for (const [table, expected] of Object.entries(GO_SCHEMA)) {
      const columns = await query(
        "SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns WHERE table_name = $table ORDER BY ordinal_position",
        { table },
        path,
      );
      const described = columns.map((c) => `${c.name} ${c.type}${c.nullable === "NO" ? " NN" : ""}`).join(", ");
      expect(described).toBe(expected);
    }
    expect((await tableColumns(path, "dashboards")).map((c) => c.name)).toEqual(["id", "name", "description", "is_default", "created_at", "updated_at"]);
    const indexes = await query("SELECT index_name FROM duckdb_indexes() ORDER BY index_name", {}, path);
    expect(indexes.map((row) => row.index_name)).toEqual([...GO_02_INDEXES, ...GO_04_INDEXES].sort());
    const keys = await query("SELECT constraint_column_names::VARCHAR AS cols FROM duckdb_constraints() WHERE table_name = 'import_state' AND constraint_type = 'PRIMARY KEY'", {}, path);
    expect(keys[0]?.cols).toBe("[source, file_path]");
  });
});

describe("the logs' texts in a database we create", () => {
  const storage = (path: string) =>
    query(`SELECT column_name AS name, list(DISTINCT compression ORDER BY compression)::VARCHAR AS compression FROM pragma_storage_info('otel_logs') WHERE segment_type NOT IN ('VALIDITY', 'BIGINT', 'UINTEGER', 'INTEGER', 'TIMESTAMP') AND column_name IN ('Body', 'LogAttributes', 'ServiceName') GROUP BY ALL ORDER BY name`, {}, path);
  /** 130,000 rows (more than a row group, which an INSERT writes ahead), through our import's open, then a checkpoint. */
  const fill = async (path: string) => {
    const db = await openOrCreateDatabase(path);
    try {
      await db.connection.run(`INSERT INTO otel_logs (Timestamp, ServiceName, Body, LogAttributes)
        SELECT TIMESTAMP '2026-06-10 09:00:00' + INTERVAL (i) SECOND, 'claude-code', repeat(md5(i::VARCHAR) || ' ', 30), json_object('event.name', 'transcript.message', 'n', i, 'text', md5(i::VARCHAR))
        FROM range(130000) r(i)`);
      await db.connection.run("CHECKPOINT");
    } finally {
      db.close();
    }
  };

  test("are stored with zstd in a database our import creates; the Go server's own tables keep DuckDB's choice", async () => {
    const ours = join(tempDir(), "ours.duckdb");
    await fill(ours);
    expect(await storage(ours)).toEqual([
      { name: "Body", compression: "[ZSTD]" },
      { name: "LogAttributes", compression: "[ZSTD]" },
      { name: "ServiceName", compression: "[Dictionary]" },
    ]);
    const chars = 130000 * 33 * 30;
    expect(await query("SELECT count(*)::INTEGER AS n, sum(length(Body))::DOUBLE AS chars, max((LogAttributes->>'n')::INTEGER) AS last FROM otel_logs", {}, ours)).toEqual([{ n: 130000, chars, last: 129999 }]);

    // A file in the same storage format whose tables the Go server made (no storage clause): our import's open leaves them as they are.
    const go = join(tempDir(), "go.duckdb");
    const instance = await DuckDBInstance.create(go, { storage_compatibility_version: NEW_DATABASE_STORAGE });
    const connection = await instance.connect();
    try {
      await connection.run(GO_TABLES_SQL);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
    await fill(go);
    expect((await storage(go)).find((row) => row.name === "Body")?.compression).not.toContain("ZSTD");
  });
});
