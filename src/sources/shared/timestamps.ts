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

/** Parses an RFC 3339 timestamp, keeping microseconds (further digits are truncated, as DuckDB does). */
export function parseTimestamp(value: unknown): Instant | null {
  if (typeof value !== "string") return null;
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
