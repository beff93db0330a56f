let countFormat: Intl.NumberFormat | undefined; // made when first needed: ~3 ms at start-up otherwise

export function formatCount(value: number | bigint): string {
  countFormat ??= new Intl.NumberFormat("en-US");
  return countFormat.format(value);
}

const UNITS = ["KB", "MB", "GB", "TB", "PB", "EB"];

/** Base 1024, one decimal: `0 B`, `1023 B`, `1.5 KB`, `15.2 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}
