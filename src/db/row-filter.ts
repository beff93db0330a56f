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
