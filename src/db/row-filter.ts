import type { DayRange } from "../shared/dates.ts";
import { timestampBounds } from "../shared/dates.ts";
import { textMicros } from "../sources/shared/timestamps.ts";

export interface RowFilter {
  range: DayRange;
  serviceName: string | null;
}

export function filterParams(filter: RowFilter): { from: string; to: string; service: string | null } {
  const bounds = timestampBounds(filter.range);
  return { from: bounds.from, to: bounds.to, service: filter.serviceName };
}

/**
 * Whether a time in microseconds since the epoch (UTC) lies in the range, as the SQL filter (row-filter.sql) decides
 * for the rows' Timestamp: both days whole, to the microsecond; null for a range open at both ends.
 */
export function microsTest(range: DayRange): ((micros: number) => boolean) | null {
  if (range.from === undefined && range.to === undefined) return null;
  const from = range.from === undefined ? Number.NEGATIVE_INFINITY : textMicros(`${range.from} 00:00:00.000000`);
  const to = range.to === undefined ? Number.POSITIVE_INFINITY : textMicros(`${range.to} 23:59:59.999999`);
  return (micros) => micros >= from && micros <= to;
}
