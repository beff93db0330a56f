import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeAttributes, GoJsonBytes } from "../../src/sources/shared/attributes.ts";
import { splitPathList } from "../../src/sources/shared/env-paths.ts";
import { scanLines } from "../../src/sources/shared/byte-source.ts";
import { mergeEvents, selectEvents } from "../../src/sources/shared/merge.ts";
import { formatMicros, parseTimestamp, parseTimestampSlow, textMicros } from "../../src/sources/shared/timestamps.ts";
import { walkFiles } from "../../src/sources/shared/walk.ts";
import type { ParsedFile, UsageEvent } from "../../src/sources/types.ts";
import { tempDir } from "./helpers.ts";

describe("timestamps", () => {
  test("the fast path for ...Z timestamps agrees with the full parser (1700-2200, 0-9 fraction digits, leap days)", () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const two = (n: number) => String(n).padStart(2, "0");
    for (let i = 0; i < 5000; i++) {
      const year = 1700 + random(501);
      const month = 1 + random(12);
      const day = 1 + random(i % 10 === 0 ? 31 : 28) + (month === 2 && i % 7 === 0 ? 1 : 0);
      const digits = random(10);
      const fraction = digits === 0 ? "" : `.${String(random(10 ** digits)).padStart(digits, "0")}`;
      const text = `${year}-${two(month)}-${two(day)}T${two(random(24))}:${two(random(60))}:${two(random(60))}${fraction}Z`;
      expect(parseTimestamp(text)).toEqual(parseTimestampSlow(text));
    }
    expect(parseTimestamp("2024-02-29T00:00:00Z")?.text).toBe("2024-02-29 00:00:00.000000");
    expect(parseTimestamp("2023-02-29T00:00:00Z")).toBeNull();
  });

  test.each([
    ["2025-08-28T12:57:14.717Z", "2025-08-28 12:57:14.717000"],
    ["2025-08-28T12:57:14.123456789Z", "2025-08-28 12:57:14.123456"],
    ["2025-08-28T12:57:14Z", "2025-08-28 12:57:14.000000"],
    ["2025-08-28T14:57:14.5+02:00", "2025-08-28 12:57:14.500000"],
    ["2025-12-31T23:30:00.000001-01:00", "2026-01-01 00:30:00.000001"],
    ["2024-02-29T00:00:00Z", "2024-02-29 00:00:00.000000"],
  ])("%s is the naive UTC %s", (input, expected) => {
    expect(parseTimestamp(input)?.text).toBe(expected);
  });

  test.each(["[trimmed for fixture]", "2025-08-28 12:57:14Z", "2025-02-30T00:00:00Z", "2025-08-28T24:00:00Z", "2025-08-28T12:57:14", "", 42, null])(
    "%p is not a timestamp",
    (input) => {
      expect(parseTimestamp(input)).toBeNull();
    },
  );

  test("textMicros reads an Instant's text back to its microseconds, any year", () => {
    for (const input of ["2025-08-28T12:57:14.717Z", "1969-12-31T23:59:59.999999Z", "0001-01-01T00:00:00Z", "0099-03-01T12:00:00.5Z", "2024-02-29T23:59:59Z", "2200-12-31T23:59:59.999999Z"]) {
      const instant = parseTimestamp(input)!;
      expect(textMicros(instant.text)).toBe(instant.micros);
    }
    expect(textMicros(formatMicros(-1))).toBe(-1);
  });

  test("microseconds survive arithmetic", () => {
    const a = parseTimestamp("2026-01-02T10:00:00.000001Z")!;
    const b = parseTimestamp("2026-01-02T10:00:01.000002Z")!;
    expect(b.micros - a.micros).toBe(1_000_001);
  });
});

describe("attribute JSON (Go encoding/json of map[string]string)", () => {
  // Go encoding/json of a string, written out independently of src/.
  const goString = (text: string) => {
    let out = '"';
    for (const char of text.toWellFormed()) {
      const code = char.codePointAt(0) as number;
      if (char === '"' || char === "\\") out += `\\${char}`;
      else if (char === "\n") out += "\\n";
      else if (char === "\r") out += "\\r";
      else if (char === "\t") out += "\\t";
      else if (char === "\b") out += "\\b";
      else if (char === "\f") out += "\\f";
      else if (code < 0x20 || char === "<" || char === ">" || char === "&" || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, "0")}`;
      else out += char;
    }
    return `${out}"`;
  };
  test("sorted keys, string values, HTML characters and line separators escaped", () => {
    expect(encodeAttributes({ z: "1", a: "<b>&\u2028", "event.name": 'q"\\\n\t\u0001' })).toBe(
      '{"a":"\\u003cb\\u003e\\u0026\\u2028","event.name":"q\\"\\\\\\n\\t\\u0001","z":"1"}',
    );
  });

  test("lone surrogates become U+FFFD; an empty map is {}", () => {
    expect(encodeAttributes({ cwd: "a\ud83db" })).toBe('{"cwd":"a\ufffdb"}');
    expect(encodeAttributes({})).toBe("{}");
  });

  test("random maps: the same text as a plain Go-rules encoder (fast path and slow path agree)", () => {
    const reference = (map: Record<string, string>) => {
      const keys = Object.keys(map).sort((a, b) => (Buffer.from(a).compare(Buffer.from(b))));
      return `{${keys.map((key) => `${goString(key)}:${goString(map[key] as string)}`).join(",")}}`;
    };
    const alphabet = ["a", "z", "Z", "0", "9", ".", "_", "é", "中", "\u{1F600}", "\ud800", "\udc00", "<", ">", "&", "\u2028", "\u2029", '"', "\\", "\n", "\t", "\u0001", "\u001f", "\u007f", "/", " "];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const word = (max: number) => Array.from({ length: random(max) }, () => alphabet[random(alphabet.length)]).join("");
    for (let i = 0; i < 3000; i++) {
      const map: Record<string, string> = {};
      for (let k = random(7); k > 0; k--) map[word(6) || "k"] = word(12);
      expect(encodeAttributes(map)).toBe(reference(map));
      expect(encodeAttributes(map, "import.key", "claude:x")).toBe(reference({ ...map, "import.key": "claude:x" }));
    }
  });

  test("long values (transcripts) through one writer's scratch: each the same as the string encoder", () => {
    const bytes = new GoJsonBytes();
    const pieces = ["x", "é", "中", "\u{1F600}", "\ud800", "<div>", "&&", "\u2028", "\u2029", "\u2027\u202a", '"q"', "\\", "\n", "\r\n", "\t", "\b\f", "\u0000", "\u001f", "\u007f", "\u0080"];
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    // Long, short, long again: a shorter value after a longer one must not carry its tail.
    for (const length of [200_000, 3, 50_000, 0, 1_500_000, 17]) {
      const text = Array.from({ length: Math.ceil(length / 2) }, () => pieces[random(pieces.length)]).join("");
      expect(Buffer.from(bytes.of(text)).toString()).toBe(goString(text));
    }
  });

  test("keys sort by code point (UTF-8 byte order), not UTF-16 unit", () => {
    expect(encodeAttributes({ "\u{1F600}": "x", "\uFFFD": "y" })).toBe('{"\uFFFD":"y","\u{1F600}":"x"}');
  });
});

describe("line reader", () => {
  test("lines of any length across chunk boundaries, CRLF kept for the parser to trim, last line flagged", async () => {
    const path = join(tempDir("lines"), "f.jsonl");
    const long = "x".repeat(3 * 1024 * 1024 + 17);
    writeFileSync(path, `a\n${long}\n\nb\r\nlast`);
    const seen: [number, boolean][] = [];
    const bytes = await scanLines(path, (line, terminated) => seen.push([line.length, terminated]));
    expect(seen).toEqual([
      [1, true],
      [long.length, true],
      [0, true],
      [2, true],
      [4, false],
    ]);
    expect(bytes).toBe(long.length + 11);
  });
});

describe("env path lists and discovery", () => {
  test("comma lists are trimmed and empty parts dropped", () => {
    expect(splitPathList(" /a ,, /b ,")).toEqual(["/a", "/b"]);
    expect(splitPathList("")).toEqual([]);
    expect(splitPathList(undefined)).toEqual([]);
  });

  test("missing roots are skipped silently; a file under two roots is listed once", async () => {
    const dir = tempDir("walk");
    writeFileSync(join(dir, "b.jsonl"), "{}\n");
    writeFileSync(join(dir, "a.jsonl"), "{}\n");
    writeFileSync(join(dir, "c.txt"), "");
    const { files, failed } = await walkFiles([join(dir, "nope"), dir, dir], (_path, name) => name.endsWith(".jsonl"));
    expect(failed).toEqual([]);
    expect(files.map((file) => file.path)).toEqual([join(dir, "a.jsonl"), join(dir, "b.jsonl")]);
  });
});

function event(key: string, rank: number, timestamp: string, model = "m"): UsageEvent {
  return { key, rank, timestamp, logs: [], metrics: [], model, unpriced: model === "unpriced" };
}

function file(events: UsageEvent[]): ParsedFile {
  return {
    path: "p", tool: "claude-code", sessionId: null, events, firstTime: null, lastTime: null,
    badLines: 0, unknownUsage: 0, lines: 0, bytes: 0, completeBytes: 0, sha256: "",
  };
}

describe("mergeEvents", () => {
  const low = event("k", 1, "2026-01-01 00:00:02.000000");
  const high = event("k", 5, "2026-01-01 00:00:03.000000");
  const early = event("k", 5, "2026-01-01 00:00:01.000000");

  test.each([
    ["higher rank wins", [low, high], high],
    ["higher rank wins whatever the order", [high, low], high],
    ["equal rank: the earlier copy wins", [high, early], early],
    ["equal rank: the earlier copy wins whatever the order", [early, high], early],
  ])("%s", (_name, events, winner) => {
    expect(selectEvents([file(events.slice(0, 1)), file(events.slice(1))])).toEqual([winner]);
  });

  test("unpriced models are reported once, sorted", () => {
    const merged = mergeEvents([file([event("a", 0, "t", "unpriced"), event("b", 0, "t", "unpriced"), event("c", 0, "t")])]);
    expect(merged.unpricedModels).toEqual(["unpriced"]);
  });
});
