import type { ColumnBuilder } from "../parquet/column-builder.ts";
import type { ConstantValue } from "../parquet/encode-row-group.ts";
import { tableColumns } from "../db/table-columns.ts";
import type { TelemetryTable } from "../db/schema.ts";
import { AttributeJsonWriter } from "../sources/shared/attributes.ts";
import type { Text } from "../sources/shared/text.ts";
import type { LogRow, MetricRow } from "../sources/types.ts";

/** The attribute that ties a stored row to its usage event, so a better copy can replace it later. */
const IMPORT_KEY_ATTRIBUTE = "import.key";

/** Fills one column of a row: `key` is its event's key, `micros` its timestamp (every row of an event has the event's). */
type Cell<R> = (column: ColumnBuilder, row: R, key: string, micros: number) => void;

/** The column that takes the event's service (`StagedEvent.service`, which all its rows have). */
const SERVICE = { event: "service" } as const;
/** The column that takes the event's unit (`StagedEvent.unit`: NULL when `""`). */
const UNIT = { event: "unit" } as const;

/**
 * How each column gets its value: from the row, one value for every row, or the event's service (written
 * by the Parquet writer: one constant when the chosen events share it, as they usually do). Columns not
 * named are NULL.
 */
type Cells<R> = Record<string, Cell<R> | FrontCodedCell<R> | { constant: ConstantValue } | typeof SERVICE | typeof UNIT>;

/** A text column's cell whose values are staged front-coded (see ColumnBuilder's `frontCoded`). */
interface FrontCodedCell<R> {
  frontCoded: Cell<R>;
}

/** A table's columns as the staging writes them: the constant ones, the live ones with their cells, and the service. */
export interface RowShape<R> {
  table: TelemetryTable;
  /** Per column of the table: its value in every row, or undefined (a live column, or the service). */
  constants: (ConstantValue | undefined)[];
  /**
   * The live columns: their index in the table, how a row fills them (in table order), and whether they are staged
   * front-coded (attribute JSON: see ColumnBuilder's `frontCoded`).
   */
  live: { index: number; cell: Cell<R>; frontCoded: boolean }[];
  /** The index of the column that takes the event's service, if any. */
  service: number | null;
  /** The index of the column that takes the event's unit, if any. */
  unit: number | null;
  /** The index of the text column whose empty values are written as NULL (the Go importers' empty→NULL for Body), if any. */
  emptyIsNull: number | null;
  /** The index of ResourceAttributes, which takes the staged rows' own (StagedRows.resourceAttributes), if any. */
  resource: number | null;
}

const EMPTY_OBJECT = Buffer.from("{}");
const EMPTY_ARRAY = Buffer.from("[]");
const SUM = Buffer.from("sum");
const constant = (value: ConstantValue) => ({ constant: value });

/** The UTF-8 bytes of short values that repeat on every row (severities, metric names, bodies); longer ones are written as they come. */
const MAX_REPEATED = 256;
const repeatedBytes = new Map<string, Buffer>();
export function repeated(value: string): Buffer {
  let bytes = repeatedBytes.get(value);
  if (bytes === undefined) {
    bytes = Buffer.from(value);
    if (repeatedBytes.size < 1_000 && value.length <= MAX_REPEATED) repeatedBytes.set(value, bytes);
  }
  return bytes;
}

const timestamp = (column: ColumnBuilder, _row: unknown, _key: string, micros: number) => column.pushNumber(micros);

/** otel_logs as the Go importer writes it (go-reference §3.3): the other columns NULL, 0 or '{}'. */
const LOG_CELLS: Cells<LogRow> = {
  Timestamp: timestamp,
  TraceFlags: constant(0),
  SeverityText: (column, row) => column.pushBytes(repeated(row.severityText)),
  SeverityNumber: (column, row) => column.pushNumber(row.severityNumber),
  ServiceName: SERVICE,
  Body: (column, row) => {
    const body = row.body;
    if (typeof body !== "string") column.pushBytes(body.bytes);
    else if (body.length > MAX_REPEATED) column.pushText(body);
    else column.pushBytes(repeated(body));
  },
  ResourceAttributes: constant(EMPTY_OBJECT),
  ScopeAttributes: constant(EMPTY_OBJECT),
  LogAttributes: attributesCell(),
};

/** A row's attribute JSON, with the event's key added as `import.key`; staged front-coded. */
function attributesCell<R extends { attributes: Record<string, Text> }>(): FrontCodedCell<R> {
  const writer = new AttributeJsonWriter();
  return { frontCoded: (column, row, key) => writer.push(column, row.attributes, IMPORT_KEY_ATTRIBUTE, key) };
}

/** otel_metrics as the Go importer writes it: MetricType 'sum', the other columns NULL, '{}' or '[]'. */
const METRIC_CELLS: Cells<MetricRow> = {
  Timestamp: timestamp,
  ServiceName: SERVICE,
  MetricName: (column, row) => column.pushBytes(repeated(row.metricName)),
  MetricUnit: UNIT,
  ResourceAttributes: constant(EMPTY_OBJECT),
  Attributes: attributesCell(),
  MetricType: constant(SUM),
  Value: (column, row) => column.pushNumber(row.value),
  BucketCounts: constant(EMPTY_ARRAY),
  ExplicitBounds: constant(EMPTY_ARRAY),
  PositiveBucketCounts: constant(EMPTY_ARRAY),
  NegativeBucketCounts: constant(EMPTY_ARRAY),
  QuantileValues: constant(EMPTY_ARRAY),
  QuantileQuantiles: constant(EMPTY_ARRAY),
};

function shape<R>(table: TelemetryTable, cells: Cells<R>, emptyIsNull: string | null = null): RowShape<R> {
  const columns = tableColumns(table);
  for (const name of Object.keys(cells)) {
    if (!columns.some((column) => column.name === name)) throw new Error(`${table} has no column ${name}`);
  }
  const constants: (ConstantValue | undefined)[] = [];
  const live: RowShape<R>["live"] = [];
  let service: number | null = null;
  let unit: number | null = null;
  columns.forEach((column, index) => {
    const cell = cells[column.name] ?? constant(null);
    if (typeof cell === "function") {
      constants.push(undefined);
      live.push({ index, cell, frontCoded: false });
    } else if ("frontCoded" in cell) {
      constants.push(undefined);
      live.push({ index, cell: cell.frontCoded, frontCoded: true });
    } else if ("event" in cell) {
      constants.push(undefined);
      if (cell.event === "service") service = index;
      else unit = index;
    } else constants.push(cell.constant);
  });
  const emptyIsNullAt = emptyIsNull === null ? null : columns.findIndex((column) => column.name === emptyIsNull);
  const resource = "ResourceAttributes" in cells ? columns.findIndex((column) => column.name === "ResourceAttributes") : null;
  return { table, constants, live, service, unit, emptyIsNull: emptyIsNullAt, resource };
}

export const LOG_SHAPE = shape("otel_logs", LOG_CELLS, "Body");
export const METRIC_SHAPE = shape("otel_metrics", METRIC_CELLS);
/** Nothing is staged for traces: their file has the columns and no rows. */
export const TRACE_SHAPE = shape<never>("otel_traces", {});
