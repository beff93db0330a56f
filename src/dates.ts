import { UsageError } from "./errors.ts";

/** A calendar day in UTC, `YYYY-MM-DD`. */
export type UtcDay = string;

export interface DayRange {
  from?: UtcDay;
  to?: UtcDay;
}

/** Bounds as naive UTC timestamp literals; open ends use DuckDB's infinities. */
export interface TimestampBounds {
  from: string;
  to: string;
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_AGO = /^(\d{1,5})d$/;
const MS_PER_DAY = 86_400_000;

export const DATE_HELP = "YYYY-MM-DD (UTC), today, yesterday or Nd (N days ago)";

function formatDay(ms: number): UtcDay {
  return new Date(ms).toISOString().slice(0, 10);
}

function startOfUtcDay(now: Date): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
}

export function parseDay(value: string, flag: string, now: Date = new Date()): UtcDay {
  const text = value.trim().toLowerCase();
  if (text === "today") return formatDay(startOfUtcDay(now));
  if (text === "yesterday") return formatDay(startOfUtcDay(now) - MS_PER_DAY);
  const ago = DAYS_AGO.exec(text);
  if (ago) return formatDay(startOfUtcDay(now) - Number(ago[1]) * MS_PER_DAY);
  const match = ISO_DAY.exec(text);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const ms = Date.UTC(year, month - 1, day);
    const date = new Date(ms);
    if (year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
      return text;
    }
  }
  throw new UsageError(`invalid date for ${flag}: ${value} (expected ${DATE_HELP})`);
}

export function parseDayRange(from: string | undefined, to: string | undefined, now: Date = new Date()): DayRange {
  const range: DayRange = {};
  if (from !== undefined) range.from = parseDay(from, "--from", now);
  if (to !== undefined) range.to = parseDay(to, "--to", now);
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) {
    throw new UsageError(`--from date must not be after --to date (${range.from} > ${range.to})`);
  }
  return range;
}

/** `--to` includes its whole day, to the last microsecond (TIMESTAMP has microsecond precision). */
export function timestampBounds(range: DayRange): TimestampBounds {
  return {
    from: range.from === undefined ? "-infinity" : `${range.from} 00:00:00`,
    to: range.to === undefined ? "infinity" : `${range.to} 23:59:59.999999`,
  };
}

/** The `{RANGE}` part of export file names. */
export function rangeLabel(range: DayRange): string {
  if (range.from === undefined && range.to === undefined) return "all";
  return `${range.from ?? "start"}-${range.to ?? "now"}`;
}

/** The "Time range:" text of previews. */
export function describeRange(range: DayRange): string {
  if (range.from === undefined && range.to === undefined) return "all";
  return `${range.from ?? "start"} to ${range.to ?? "now"}`;
}
