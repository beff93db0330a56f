/** A parsed instant: naive UTC text at microsecond precision, plus epoch microseconds for arithmetic. */
export interface Instant {
  /** `YYYY-MM-DD HH:MM:SS.ffffff`, UTC. Fixed width, so text order is time order. */
  text: string;
  micros: number;
}

// RFC 3339 as Go's time.Parse(RFC3339Nano) accepts it: a `T`, any number of fraction digits, `Z` or ±hh:mm.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

export function formatMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const date = new Date(ms);
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
  const time = `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`;
  return `${day} ${time}.${pad(micros - Math.floor(micros / 1_000_000) * 1_000_000, 6)}`;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const FRACTION_PAD = ["000000", "00000", "0000", "000", "00", "0", ""];
const FRACTION_SCALE = [0, 100_000, 10_000, 1_000, 100, 10, 1];

/** Digits at `from..from+count` as a number, or -1 when one is not a digit. */
export function digits(value: string, from: number, count: number): number {
  let result = 0;
  for (let i = from; i < from + count; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    result = result * 10 + digit;
  }
  return result;
}

/**
 * The common shape `YYYY-MM-DDTHH:MM:SS(.f…)Z` (years 1700–2200) by slicing, without a regex, `Date` or
 * padding; `null` for anything else, which the full parser then decides.
 */
export function parseUtcFast(value: string): Instant | null {
  const length = value.length;
  if (length < 20 || value.charCodeAt(length - 1) !== 90 /* Z */) return null;
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(10) !== 84) return null;
  if (value.charCodeAt(13) !== 58 || value.charCodeAt(16) !== 58) return null;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  const second = digits(value, 17, 2);
  // 1700–2200: epoch microseconds stay within ±2^53, so the result is exactly what the full parser computes.
  if (year < 1700 || year > 2200 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month - 1] as number) + (leap ? 1 : 0)) return null;
  let fraction = "";
  let micros = 0;
  if (length > 20) {
    // `.` and at least one digit before the `Z`.
    if (value.charCodeAt(19) !== 46 || length < 22 || digits(value, 20, length - 21) < 0) return null;
    fraction = value.slice(20, Math.min(26, length - 1));
    micros = digits(fraction, 0, fraction.length) * (FRACTION_SCALE[fraction.length] as number);
  }
  const six = fraction + (FRACTION_PAD[fraction.length] as string);
  const seconds = ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60 + second;
  return { text: `${value.slice(0, 10)} ${value.slice(11, 19)}.${six}`, micros: seconds * 1_000_000 + micros };
}

/** Days from 1970-01-01 to a proleptic Gregorian date, any year (Howard Hinnant's days_from_civil; Date.UTC maps years 0–99 to 19xx). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The epoch microseconds of an `Instant.text` (`formatMicros`' output, read back without a parse of the general form). */
export function textMicros(text: string): number {
  const days = daysFromCivil(digits(text, 0, 4), digits(text, 5, 2), digits(text, 8, 2));
  const seconds = ((days * 24 + digits(text, 11, 2)) * 60 + digits(text, 14, 2)) * 60 + digits(text, 17, 2);
  return seconds * 1_000_000 + digits(text, 20, 6);
}

/** Parses an RFC 3339 timestamp, keeping microseconds (further digits are truncated, as DuckDB does). */
export function parseTimestamp(value: unknown): Instant | null {
  if (typeof value !== "string") return null;
  return parseUtcFast(value) ?? parseTimestampSlow(value);
}

/** The full parser: any RFC 3339 form Go accepts (offsets, any number of fraction digits). */
export function parseTimestampSlow(value: string): Instant | null {
  const match = RFC3339.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  date.setUTCHours(hour, minute, second, 0);
  let offsetMinutes = 0;
  if (match[8] === undefined) {
    const [offsetHour, offsetMinute] = [Number(match[10]), Number(match[11])];
    if (offsetHour > 23 || offsetMinute > 59) return null;
    offsetMinutes = (offsetHour * 60 + offsetMinute) * (match[9] === "-" ? -1 : 1);
  }
  const fraction = Number((match[7] ?? "").slice(0, 6).padEnd(6, "0"));
  const micros = (date.getTime() - offsetMinutes * 60_000) * 1000 + fraction;
  const utcYear = new Date(Math.floor(micros / 1000)).getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return null;
  return { text: formatMicros(micros), micros };
}
