import { describe, expect, test } from "bun:test";
import { LargeStrings, unescapeJson } from "../../src/sources/shared/large-strings.ts";
import { TextArena, TextBlockPool } from "../../src/sources/shared/text-arena.ts";
import { Utf8Text } from "../../src/sources/shared/text.ts";

const ALPHABET = ["a", "Z", "0", " ", "/", "é", "中", "\u{1F600}", "\ud800", "\udc00", "<", ">", "&", "\u2028", '"', "\\", "\n", "\r", "\t", "\b", "\f", "\u0001", "\u001f", "\u007f", "\u0080", "\ufffd"];

function randomText(random: (n: number) => number, length: number): string {
  return Array.from({ length }, () => ALPHABET[random(ALPHABET.length)]).join("");
}

function seeded(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
}

/** JSON escaping the way other writers do it (Python's ensure_ascii): every non-ASCII unit as `\uXXXX` (upper case), `\/`. */
function asciiJson(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const char = text[i] as string;
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (char === "/") out += "\\/";
    else if (char === "\n") out += "\\n";
    else if (unit < 0x20 || unit > 0x7e) out += `\\u${unit.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += char;
  }
  return out;
}

/** The UTF-8 a whole-line parse gives a string (lone surrogates become U+FFFD when written). */
const utf8 = (text: string) => Buffer.from(text.toWellFormed());

describe("unescapeJson", () => {
  test("random texts, escaped by JSON.stringify and by an ensure_ascii writer: the UTF-8 of what JSON.parse gives", () => {
    const random = seeded(5);
    const out = Buffer.alloc(1 << 16);
    for (let i = 0; i < 2000; i++) {
      const text = randomText(random, random(60));
      for (const escaped of [JSON.stringify(text).slice(1, -1), asciiJson(text)]) {
        const bytes = Buffer.from(escaped);
        const length = unescapeJson(bytes, 0, bytes.length, out);
        expect(out.subarray(0, length)).toEqual(utf8(JSON.parse(`"${escaped}"`) as string));
      }
    }
  });

  test("surrogate pairs as escapes, lone ones, and a malformed escape kept as written", () => {
    const cases: [string, string][] = [
      ["\\ud83d\\ude00", "\u{1F600}"],
      ["\\uD83D\\uDE00x", "\u{1F600}x"],
      ["\\ud83d", "\ufffd"],
      ["\\ude00\\ud83d", "\ufffd\ufffd"],
      ["\\ud83d\\ud83d\\ude00", "\ufffd\u{1F600}"],
      ["a\\x", "a\\x"],
      ["\\u12", "\\u12"],
    ];
    const out = Buffer.alloc(64);
    for (const [escaped, text] of cases) {
      const bytes = Buffer.from(escaped);
      expect(out.subarray(0, unescapeJson(bytes, 0, bytes.length, out)).toString()).toBe(text);
    }
  });
});

describe("LargeStrings", () => {
  const limits = { minLine: 200, minString: 40, keys: ["content", "text", "stdout", "t", "a", "nested"] };
  const newReader = () => new LargeStrings(new TextArena(new TextBlockPool()), limits);

  test("startsWith: as the string's own, whether the bytes hold the prefix plainly or escaped", () => {
    const prefix = "File created successfully";
    const tail = ` at: /src/app.ts${" and more".repeat(30)}`;
    const cases: [string, boolean][] = [
      [`"${prefix}${tail}"`, true],
      [`"\\u0046ile created successfully${tail}"`, true], // escaped as some writers do
      [`"File created\\nsuccessfully${tail}"`, false],
      [`"File created successfull"`, false], // shorter than the prefix (not a placeholder: short)
      [`"Fichier créé${tail}"`, false],
      [`"${prefix.slice(0, 10)}\\"${tail}"`, false],
      [`"${[...prefix].map((char) => `\\u00${char.charCodeAt(0).toString(16)}`).join("")}${tail}"`, true], // every character escaped
      [`"${prefix}\\n${tail}"`, true], // an escape right after the prefix
      [`"\\n${prefix}${tail}"`, false], // a newline first
      [`"${prefix.slice(0, -1)}\\u0079${tail}"`, true], // the last character escaped
      [`"${prefix.slice(0, -1)}\\ud83d\\ude00${tail}"`, false], // an emoji where the last character should be
    ];
    for (const [json, expected] of cases) {
      const reader = newReader();
      const line = Buffer.from(`{"type":"user","content":${json},"pad":"${"p".repeat(200)}"}`);
      const whole = JSON.parse(line.toString()) as { content: string };
      const parsed = (reader.parse(line) as { content: string } | null) ?? whole;
      expect(reader.isLarge(parsed.content)).toBe(json.length > 60);
      expect(reader.startsWith(parsed.content, prefix)).toBe(expected);
      expect(whole.content.startsWith(prefix)).toBe(expected);
      reader.release();
    }
  });

  test("a long line's large strings are placeholders; text, string and materialize give what the whole line's parse gives", () => {
    const random = seeded(9);
    const reader = newReader();
    let reduced = 0;
    for (let i = 0; i < 500; i++) {
      const value = {
        type: "user",
        uuid: `u-${i}`,
        message: { content: [{ type: "tool_result", content: randomText(random, random(120)) }, { type: "text", text: randomText(random, random(90)) }] },
        toolUseResult: { stdout: randomText(random, random(150)), nested: [randomText(random, 45), 7, null, true] },
      };
      const line = Buffer.from(random(2) === 0 ? JSON.stringify(value) : JSON.stringify(value, (_key, item) => item).replace(/\//g, "\\/"));
      const whole = JSON.parse(line.toString()) as typeof value;
      const parsed = reader.parse(line) as typeof value | null;
      if (line.length < limits.minLine) {
        expect(parsed).toBeNull();
        continue;
      }
      if (parsed === null) continue; // no string long enough
      reduced++;
      expect(parsed["uuid"]).toBe(whole.uuid);
      const result = parsed.message.content[0]!.content as string;
      const original = whole.message.content[0]!.content as string;
      const text = reader.text(result);
      const expected = utf8(original);
      if (typeof text === "string") expect(utf8(text)).toEqual(expected);
      else expect(text.bytes).toEqual(expected);
      expect(reader.string(result)).toBe(original);
      expect(reader.materialize(parsed)).toEqual(whole);
      reader.release();
      expect(reader.isLarge(result)).toBe(false);
    }
    expect(reduced).toBeGreaterThan(100);
  });

  test("lines that hold an escaped NUL, short lines and lines that do not parse are left to the whole parse", () => {
    const reader = newReader();
    const long = "x".repeat(300);
    expect(reader.parse(Buffer.from(JSON.stringify({ a: long, b: "\u0000" })))).toBeNull();
    expect(reader.parse(Buffer.from(JSON.stringify({ a: "x".repeat(50) })))).toBeNull();
    expect(reader.parse(Buffer.from(`{"a":"${long}",}`))).toBeNull();
    expect(reader.parse(Buffer.from(`{"a":"${long}`))).toBeNull();
    const parsed = reader.parse(Buffer.from(JSON.stringify({ a: long, b: "short" })));
    expect(parsed?.["b"]).toBe("short");
    expect(reader.isLarge(parsed?.["a"])).toBe(true);
  });

  test("only the values of the keys given are left out; other long strings, in arrays too, stay in the parse", () => {
    const reader = newReader();
    const long = "y".repeat(300);
    const parsed = reader.parse(Buffer.from(JSON.stringify({ other: long, content: long, list: [long], text: { content: long } })));
    expect(parsed?.["other"]).toBe(long);
    expect((parsed?.["list"] as string[])[0]).toBe(long);
    expect(reader.isLarge(parsed?.["content"])).toBe(true);
    expect(reader.isLarge((parsed?.["text"] as { content: string }).content)).toBe(true);
    // Spaces after the colon (another writer): not the key's value as the reader looks for it, so kept whole.
    expect(reader.parse(Buffer.from(`{"content": "${long}", "x": "${long}"}`))).toBeNull();
  });

  test("invalid UTF-8 in a large string: the lossy decoding the whole line gets", () => {
    const reader = newReader();
    const line = Buffer.concat([Buffer.from(`{"t":"${"y".repeat(100)}`), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from(`${"z".repeat(100)}"}`)]);
    const whole = JSON.parse(new TextDecoder().decode(line)) as { t: string };
    const parsed = reader.parse(line) as { t: string };
    const text = reader.text(parsed.t);
    expect(typeof text === "string" ? text : text.toString()).toBe(whole.t);
    expect(reader.string(parsed.t)).toBe(whole.t);
  });

  test("a string with raw control characters (a line JSON.parse rejects) is read leniently, as the usage-only reader does", () => {
    const reader = newReader();
    const line = Buffer.from(`{"type":"user","t":"${"a".repeat(100)}\u0001\t${"b".repeat(100)}"}`);
    const parsed = reader.parse(line) as { type: string; t: string };
    expect(parsed.type).toBe("user");
    expect((reader.text(parsed.t) as Utf8Text).toString()).toBe(`${"a".repeat(100)}\u0001\t${"b".repeat(100)}`);
  });
});

describe("TextArena", () => {
  test("texts share blocks, a trimmed text gives its tail back, and released blocks are filled again", () => {
    const pool = new TextBlockPool(4);
    const arena = new TextArena(pool);
    const a = arena.trim(arena.take(100), 10);
    const b = arena.take(50);
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 10);
    const large = arena.take(TextArena.BLOCK_BYTES + 1);
    expect(large.buffer).not.toBe(a.buffer);
    arena.release();
    const again = new TextArena(pool).take(8);
    expect(again.buffer).toBe(a.buffer);
  });
});
