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

/** `Date.UTC` for any year: `Date.UTC` itself reads years 0–99 as 1900–1999. */
function utcMs(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  return date.getTime();
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
    const ms = utcMs(year, month - 1, day);
    const date = new Date(ms);
    if (year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
      return text;
    }
  }
  throw new UsageError(`invalid date for ${flag}: ${value} (expected ${DATE_HELP})`);
}

const ISO_MONTH = /^(\d{4})-(\d{2})$/;

export const MONTH_HELP = "YYYY-MM, this or last (UTC calendar month)";

/** A whole UTC calendar month: `2025-01`, `this`, or `last` (the cron-friendly "previous month"). */
export function parseMonth(value: string, now: Date = new Date()): DayRange {
  const text = value.trim().toLowerCase();
  let year: number;
  let month: number; // 0-based
  const match = ISO_MONTH.exec(text);
  if (text === "this" || text === "last") {
    year = now.getUTCFullYear();
    month = now.getUTCMonth() - (text === "last" ? 1 : 0);
  } else if (match && Number(match[2]) >= 1 && Number(match[2]) <= 12 && Number(match[1]) >= 1) {
    year = Number(match[1]);
    month = Number(match[2]) - 1;
  } else {
    throw new UsageError(`invalid month for --month: ${value} (expected ${MONTH_HELP})`);
  }
  return { from: formatDay(utcMs(year, month, 1)), to: formatDay(utcMs(year, month + 1, 0)) };
}

export interface RangeFlags {
  from?: string;
  to?: string;
  month?: string;
}

/** `--month` stands for a `--from`/`--to` pair, so it cannot be combined with them. */
export function parseRangeFlags(flags: RangeFlags, now: Date = new Date()): DayRange {
  if (flags.month !== undefined) {
    if (flags.from !== undefined || flags.to !== undefined) throw new UsageError("--month cannot be combined with --from or --to");
    return parseMonth(flags.month, now);
  }
  return parseDayRange(flags.from, flags.to, now);
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
