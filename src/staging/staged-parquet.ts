import { rmSync } from "node:fs";
import type { ColumnBuilder } from "../parquet/column-builder.ts";
import { type ConstantValue, ParquetWriter } from "../parquet/parquet-writer.ts";
import { tableColumns } from "../db/table-columns.ts";
import type { TelemetryTable } from "../db/schema.ts";
import { LOG_FIELDS, METRIC_FIELDS, readStagedLines, type StagedLine } from "./row-text.ts";

/** Which staged rows a table file gets: those of the chosen copies, within a time range and service. */
export interface RowSelection {
  /** `seq`s of the chosen copies. */
  winners: ReadonlySet<number>;
  /** Whether a row's timestamp text is in the time range (`timestampTest`); null: all are. */
  inRange: ((timestamp: string) => boolean) | null;
  serviceName: string | null;
}

const EMPTY_OBJECT = Buffer.from("{}");
const EMPTY_ARRAY = Buffer.from("[]");
const SUM = Buffer.from("sum");

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function digitsAt(bytes: Buffer, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) value = value * 10 + ((bytes[i] as number) - 48);
  return value;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` (the staged form, see formatMicros) as epoch microseconds. */
export function stagedMicros(bytes: Buffer, at: number): number {
  const days = daysFromCivil(digitsAt(bytes, at, 4), digitsAt(bytes, at + 5, 2), digitsAt(bytes, at + 8, 2));
  const seconds = ((days * 24 + digitsAt(bytes, at + 11, 2)) * 60 + digitsAt(bytes, at + 14, 2)) * 60 + digitsAt(bytes, at + 17, 2);
  return seconds * 1_000_000 + digitsAt(bytes, at + 20, 6);
}

const text = (line: StagedLine, field: number) => line.bytes.toString("latin1", line.starts[field], line.ends[field]);
const utf8 = (line: StagedLine, field: number) => line.bytes.toString("utf8", line.starts[field], line.ends[field]);

/** Fills a column of a row from a staged line (`name`: the metric name of this row of the line). */
type Cell = (column: ColumnBuilder, line: StagedLine, name: Buffer) => void;

/** How each column gets its value: from the staged line, or one value for every row. Columns not named are NULL. */
type Cells = Record<string, Cell | { constant: ConstantValue }>;

/** The digits of a field as a number (a `seq`). */
function integerAt(line: StagedLine, field: number): number {
  let value = 0;
  for (let i = line.starts[field] as number; i < (line.ends[field] as number); i++) value = value * 10 + ((line.bytes[i] as number) - 48);
  return value;
}

function fieldEquals(line: StagedLine, field: number, expected: Buffer): boolean {
  const start = line.starts[field] as number;
  if ((line.ends[field] as number) - start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (line.bytes[start + i] !== expected[i]) return false;
  return true;
}

const stagedText = (field: number) => (column: ColumnBuilder, line: StagedLine) => column.pushBytes(line.bytes, line.starts[field], line.ends[field]);
const stagedNumber = (field: number) => (column: ColumnBuilder, line: StagedLine) => column.pushNumber(Number(text(line, field)));
const timestamp = (column: ColumnBuilder, line: StagedLine) => column.pushNumber(stagedMicros(line.bytes, line.starts[0] as number));
const constant = (value: ConstantValue) => ({ constant: value });

/** otel_logs as the Go importer writes it (go-reference §3.3): the other columns NULL, 0 or '{}'. */
const LOG_CELLS: Cells = {
  Timestamp: timestamp,
  TraceFlags: constant(0),
  SeverityText: stagedText(1),
  SeverityNumber: stagedNumber(2),
  ServiceName: stagedText(3),
  Body: (column, line) => column.pushString(JSON.parse(utf8(line, 4)) as string),
  ResourceAttributes: constant(EMPTY_OBJECT),
  ScopeAttributes: constant(EMPTY_OBJECT),
  LogAttributes: stagedText(5),
};

/** otel_metrics as the Go importer writes it: MetricType 'sum', the other columns NULL, '{}' or '[]'. */
const METRIC_CELLS: Cells = {
  Timestamp: timestamp,
  ServiceName: stagedText(1),
  MetricName: (column, _line, name) => column.pushBytes(name),
  ResourceAttributes: constant(EMPTY_OBJECT),
  Attributes: stagedText(4),
  MetricType: constant(SUM),
  Value: stagedNumber(3),
  BucketCounts: constant(EMPTY_ARRAY),
  ExplicitBounds: constant(EMPTY_ARRAY),
  PositiveBucketCounts: constant(EMPTY_ARRAY),
  NegativeBucketCounts: constant(EMPTY_ARRAY),
  QuantileValues: constant(EMPTY_ARRAY),
  QuantileQuantiles: constant(EMPTY_ARRAY),
};

/** A line's metric names (twins share a line), as bytes; the few distinct name lists are kept. */
const nameLists = new Map<string, Buffer[]>();
function metricNames(list: string): Buffer[] {
  let names = nameLists.get(list);
  if (!names) nameLists.set(list, (names = list.split(",").map((name) => Buffer.from(name))));
  return names;
}

const NO_NAME = [Buffer.alloc(0)];

/** Per column: its value in every row, or undefined and the cell that fills it. */
function cellsFor(table: TelemetryTable, cells: Cells): { constants: (ConstantValue | undefined)[]; live: [number, Cell][] } {
  const columns = tableColumns(table);
  for (const name of Object.keys(cells)) {
    if (!columns.some((column) => column.name === name)) throw new Error(`${table} has no column ${name}`);
  }
  const constants: (ConstantValue | undefined)[] = [];
  const live: [number, Cell][] = [];
  columns.forEach((column, index) => {
    const cell = cells[column.name] ?? constant(null);
    if (typeof cell === "function") {
      constants.push(undefined);
      live.push([index, cell]);
    } else constants.push(cell.constant);
  });
  return { constants, live };
}

function selects(selection: RowSelection, service: Buffer | null, line: StagedLine, serviceField: number, seqField: number): boolean {
  if (!selection.winners.has(integerAt(line, seqField))) return false;
  if (selection.inRange !== null && !selection.inRange(text(line, 0))) return false;
  return service === null || fieldEquals(line, serviceField, service);
}

/** How a table's staged lines read: their field count, where the service is, the cells, and (metrics) the names field. */
interface TableSource {
  fields: number;
  serviceField: number;
  cells: Cells;
  /** Metric lines hold twins: one row per name. */
  names?: number;
}

const SOURCES: Record<TelemetryTable, TableSource> = {
  otel_traces: { fields: 0, serviceField: 0, cells: {} },
  otel_logs: { fields: LOG_FIELDS, serviceField: 3, cells: LOG_CELLS },
  otel_metrics: { fields: METRIC_FIELDS, serviceField: 1, cells: METRIC_CELLS, names: 2 },
};

/**
 * Writes the selected staged rows of `table` as a ZSTD Parquet file with the table's columns
 * (`stagedFile`: the staged rows, or null for a table nothing was staged for, such as traces).
 * Returns the number of rows written. A failure leaves no file.
 */
export async function writeStagedTable(table: TelemetryTable, stagedFile: string | null, selection: RowSelection, path: string): Promise<number> {
  const source = SOURCES[table];
  const { constants, live } = cellsFor(table, source.cells);
  const writer = new ParquetWriter(path, tableColumns(table), constants);
  try {
    if (stagedFile !== null && source.fields > 0) {
      const seqField = source.fields - 1;
      const service = selection.serviceName === null ? null : Buffer.from(selection.serviceName);
      const namesField = source.names;
      await readStagedLines(stagedFile, source.fields, (line) => {
        if (!selects(selection, service, line, source.serviceField, seqField)) return undefined;
        const names = namesField === undefined ? NO_NAME : metricNames(text(line, namesField));
        let pending: Promise<void> | undefined;
        for (const name of names) {
          const row = writer.row;
          for (const [index, cell] of live) cell(row[index] as ColumnBuilder, line, name);
          pending = writer.endRow() ?? pending;
        }
        return pending;
      });
    }
    return await writer.close();
  } catch (error) {
    writer.abandon();
    rmSync(path, { force: true });
    throw error;
  }
}
