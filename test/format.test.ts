import { describe, expect, test } from "bun:test";
import { formatBytes, formatCount } from "../src/shared/format.ts";
import { parseSource } from "../src/shared/sources.ts";
import { UsageError } from "../src/shared/errors.ts";
import { rawStringOption, restoreStringOptions } from "../src/cli-args.ts";

describe("formatBytes (base 1024, as the Go original)", () => {
  test.each([
    [0, "0 B"],
    [500, "500 B"],
    [1023, "1023 B"],
    [1024, "1.0 KB"],
    [1536, "1.5 KB"],
    [1048576, "1.0 MB"],
    [15.2 * 1048576, "15.2 MB"],
    [1073741824, "1.0 GB"],
    [1099511627776, "1.0 TB"],
  ])("%d bytes is %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

test("counts have thousands separators", () => {
  expect([0, 999, 1234, 1234567].map(formatCount)).toEqual(["0", "999", "1,234", "1,234,567"]);
});

describe("sources", () => {
  test.each([
    ["claude-code", "claude-code"],
    ["CLAUDE-CODE", "claude-code"],
    ["codex", "codex_cli_rs"],
    ["gemini", "gemini_cli"],
    ["all", null],
  ])("%s selects ServiceName %p", (arg, service) => {
    expect(parseSource(arg).serviceName).toBe(service);
  });

  test.each(["claude", "invalid", "", undefined])("%p is a usage error", (arg) => {
    expect(() => parseSource(arg)).toThrow(UsageError);
  });
});

describe("string options keep their text", () => {
  test("numeric-looking values are not turned into numbers", () => {
    const argv = ["bun", "cli", "export", "all", "--output", "007", "--from=2025-01-01"];
    expect(rawStringOption(argv, "output")).toBe("007");
    expect(rawStringOption(argv, "from")).toBe("2025-01-01");
    expect(restoreStringOptions<Record<string, unknown>>(argv, { output: 7, from: "2025-01-01", yes: true }, ["output", "from"])).toEqual({ output: "007", from: "2025-01-01", yes: true });
  });

  test("the last occurrence wins and nothing after -- is read", () => {
    expect(rawStringOption(["--output", "a", "--output", "b", "--", "--output", "c"], "output")).toBe("b");
  });
});
