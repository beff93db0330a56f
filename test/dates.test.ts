import { describe, expect, test } from "bun:test";
import { describeRange, parseDay, parseDayRange, parseMonth, parseRangeFlags, rangeLabel, timestampBounds } from "../src/shared/dates.ts";
import { UsageError } from "../src/shared/errors.ts";

const NOW = new Date("2026-03-01T05:00:00Z");

describe("parseDay", () => {
  test.each([
    ["2025-01-02", "2025-01-02"],
    ["2024-02-29", "2024-02-29"],
    ["today", "2026-03-01"],
    ["yesterday", "2026-02-28"],
    ["0d", "2026-03-01"],
    ["1d", "2026-02-28"],
    ["30d", "2026-01-30"],
    ["TODAY", "2026-03-01"],
  ])("%s is the UTC day %s", (input, day) => {
    expect(parseDay(input, "--from", NOW)).toBe(day);
  });

  test.each(["2025-02-30", "2025/01/02", "01-02-2025", "2025-1-2", "2023-02-29", "2025-13-01", "", "d", "-1d", "tomorrow"])(
    "%p is a usage error",
    (input) => {
      expect(() => parseDay(input, "--from", NOW)).toThrow(UsageError);
    },
  );
});

describe("ranges", () => {
  test("--from after --to is a usage error, the same day is not", () => {
    expect(() => parseDayRange("2025-01-03", "2025-01-02", NOW)).toThrow(UsageError);
    expect(parseDayRange("2025-01-02", "2025-01-02", NOW)).toEqual({ from: "2025-01-02", to: "2025-01-02" });
  });

  test("--to includes its day to the last microsecond; open ends are infinite", () => {
    expect(timestampBounds({ from: "2025-01-01", to: "2025-01-02" })).toEqual({
      from: "2025-01-01 00:00:00",
      to: "2025-01-02 23:59:59.999999",
    });
    expect(timestampBounds({})).toEqual({ from: "-infinity", to: "infinity" });
  });

  test.each([
    [{}, "all", "all"],
    [{ from: "2025-01-01", to: "2025-01-15" }, "2025-01-01-2025-01-15", "2025-01-01 to 2025-01-15"],
    [{ from: "2025-01-01" }, "2025-01-01-now", "2025-01-01 to now"],
    [{ to: "2025-01-15" }, "start-2025-01-15", "start to 2025-01-15"],
  ])("range %o is labelled %s", (range, label, description) => {
    expect(rangeLabel(range)).toBe(label);
    expect(describeRange(range)).toBe(description);
  });
});

describe("--month", () => {
  test.each([
    ["2025-01", "2025-01-01", "2025-01-31"],
    ["2024-02", "2024-02-01", "2024-02-29"],
    ["2025-12", "2025-12-01", "2025-12-31"],
    ["this", "2026-03-01", "2026-03-31"],
    ["last", "2026-02-01", "2026-02-28"],
  ])("%s covers %s to %s", (month, from, to) => {
    expect(parseRangeFlags({ month }, NOW)).toEqual({ from, to });
  });

  test("last month in January is December of the year before", () => {
    expect(parseMonth("last", new Date("2026-01-15T00:00:00Z"))).toEqual({ from: "2025-12-01", to: "2025-12-31" });
  });

  test.each(["2025-13", "2025-1", "2025-00", "previous", ""])("%p is a usage error", (month) => {
    expect(() => parseMonth(month, NOW)).toThrow(UsageError);
  });

  test("cannot be combined with --from or --to", () => {
    expect(() => parseRangeFlags({ month: "last", from: "2025-01-01" }, NOW)).toThrow(UsageError);
  });
});
