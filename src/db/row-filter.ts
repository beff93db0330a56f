import type { DayRange } from "../dates.ts";
import { timestampBounds } from "../dates.ts";

export interface RowFilter {
  range: DayRange;
  serviceName: string | null;
}

export function filterParams(filter: RowFilter): { from: string; to: string; service: string | null } {
  const bounds = timestampBounds(filter.range);
  return { from: bounds.from, to: bounds.to, service: filter.serviceName };
}

/** The filter's bounds as naive UTC text (`YYYY-MM-DD HH:MM:SS[.ffffff]`, compared as text); null: open. */
export function timestampRange(range: DayRange): { from: string | null; to: string | null } {
  const bounds = timestampBounds(range);
  return { from: range.from === undefined ? null : bounds.from, to: range.to === undefined ? null : bounds.to };
}
