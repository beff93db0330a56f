import type { DayRange } from "../shared/dates.ts";
import { timestampBounds } from "../shared/dates.ts";

export interface RowFilter {
  range: DayRange;
  serviceName: string | null;
}

export function filterParams(filter: RowFilter): { from: string; to: string; service: string | null } {
  const bounds = timestampBounds(filter.range);
  return { from: bounds.from, to: bounds.to, service: filter.serviceName };
}

/**
 * Whether a naive UTC timestamp (`YYYY-MM-DD HH:MM:SS.ffffff`, fixed width, so text order is time
 * order) lies in the range, as the SQL filter decides; null for a range open at both ends.
 */
export function timestampTest(range: DayRange): ((timestamp: string) => boolean) | null {
  if (range.from === undefined && range.to === undefined) return null;
  const bounds = timestampBounds(range);
  return (timestamp) => (range.from === undefined || timestamp >= bounds.from) && (range.to === undefined || timestamp <= bounds.to);
}
