import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  assetUrl,
  defaultHomepage,
  FORMULA_PLATFORMS,
  type FormulaInput,
  type FormulaPlatform,
  formatSha256Sums,
  type ReleaseAsset,
  renderFormula,
  renderTemplate,
} from "../../scripts/release/formula.ts";
import { archiveName, executableName, selectTargets, TARGETS } from "../../scripts/release/targets.ts";

const TEMPLATE = readFileSync(join(import.meta.dir, "../../packaging/homebrew/ai-observer.rb.template"), "utf8");
const BASE = "https://github.com/example/ai-observer/releases/download/v1.2.3";

function sha(char: string): string {
  return char.repeat(64);
}

const ASSETS: Record<FormulaPlatform, ReleaseAsset> = {
  "darwin-arm64": { name: "ai-observer-1.2.3-darwin-arm64.tar.gz", sha256: sha("a") },
  "darwin-x64": { name: "ai-observer-1.2.3-darwin-x64.tar.gz", sha256: sha("b") },
  "linux-arm64": { name: "ai-observer-1.2.3-linux-arm64.tar.gz", sha256: sha("c") },
  "linux-x64": { name: "ai-observer-1.2.3-linux-x64.tar.gz", sha256: sha("d") },
};

function input(overrides: Partial<FormulaInput> = {}): FormulaInput {
  return { version: "1.2.3", homepage: "https://github.com/example/ai-observer", baseUrl: BASE, assets: ASSETS, ...overrides };
}

/** The lines of the `on_<os>` / `on_<cpu>` block, without the `do`/`end` lines. */
function block(formula: string, os: "on_macos" | "on_linux", cpu: "on_arm" | "on_intel"): string {
  const osBlock = new RegExp(`^  ${os} do\\n([\\s\\S]*?)^  end$`, "m").exec(formula)?.[1] ?? "";
  return new RegExp(`^    ${cpu} do\\n([\\s\\S]*?)^    end$`, "m").exec(osBlock)?.[1] ?? "";
}

describe("SHA256SUMS", () => {
  test("sha256sum's format, sorted by name, with a final newline", () => {
    const text = formatSha256Sums([
      { name: "b.zip", sha256: sha("1") },
      { name: "a.tar.gz", sha256: sha("2") },
    ]);
    expect(text).toBe(`${sha("2")}  a.tar.gz\n${sha("1")}  b.zip\n`);
  });

  test("an empty list is an empty file", () => {
    expect(formatSha256Sums([])).toBe("");
  });

  test.each([
    ["upper-case hex", { name: "a.zip", sha256: "A".repeat(64) }],
    ["short digest", { name: "a.zip", sha256: "a".repeat(63) }],
    ["name with a space", { name: "a b.zip", sha256: sha("a") }],
    ["name with a slash", { name: "dist/a.zip", sha256: sha("a") }],
    ["name with a newline", { name: "a\n.zip", sha256: sha("a") }],
  ])("rejects %s", (_label, asset) => {
    expect(() => formatSha256Sums([asset])).toThrow();
  });

  test("rejects a name listed twice", () => {
    expect(() => formatSha256Sums([ASSETS["linux-x64"], ASSETS["linux-x64"]])).toThrow(/duplicate/);
  });
});

describe("Homebrew formula", () => {
  const formula = renderFormula(TEMPLATE, input());

  test("one URL and sha256 per platform, in the right on_macos/on_linux and on_arm/on_intel block", () => {
    const expected: [FormulaPlatform, "on_macos" | "on_linux", "on_arm" | "on_intel"][] = [
      ["darwin-arm64", "on_macos", "on_arm"],
      ["darwin-x64", "on_macos", "on_intel"],
      ["linux-arm64", "on_linux", "on_arm"],
      ["linux-x64", "on_linux", "on_intel"],
    ];
    for (const [platform, os, cpu] of expected) {
      const lines = block(formula, os, cpu).trim().split("\n").map((line) => line.trim());
      expect(lines).toEqual([`url "${BASE}/${ASSETS[platform].name}"`, `sha256 "${ASSETS[platform].sha256}"`]);
    }
    expect(formula.match(/^\s*url "/gm)).toHaveLength(4);
    expect(formula.match(/^\s*sha256 "/gm)).toHaveLength(4);
  });

  test("no placeholder is left and the class, version and homepage are set", () => {
    expect(formula).not.toContain("{{");
    expect(formula).toContain("class AiObserver < Formula");
    expect(formula).toContain('version "1.2.3"');
    expect(formula).toContain('homepage "https://github.com/example/ai-observer"');
    expect(formula).toContain('license "MIT"');
    expect(formula).toContain('bin.install "ai-observer"');
  });

  test("test do runs --version", () => {
    const testBlock = /^  test do\n([\s\S]*?)^  end$/m.exec(formula)?.[1] ?? "";
    expect(testBlock).toContain('shell_output("#{bin}/ai-observer --version")');
  });

  test("caveats show a crontab line with % escaped for cron", () => {
    const caveats = /^  def caveats\n([\s\S]*?)^  end$/m.exec(formula)?.[1] ?? "";
    const cronLine = caveats.split("\n").find((line) => /^\s+\d+ \d+ \* \* \* /.test(line));
    expect(cronLine).toBeDefined();
    expect(cronLine).toContain("#{opt_bin}/ai-observer export all");
    expect(cronLine).toContain("--yes");
    // Ruby turns "\\%" into "\%", which cron turns back into "%".
    expect(cronLine).toContain("date +\\\\%F");
  });

  test("Homebrew's audit rules for desc: at most 80 characters, no article first, no final period", () => {
    const desc = /^  desc "(.*)"$/m.exec(formula)?.[1] ?? "";
    expect(desc.length).toBeGreaterThan(0);
    expect(desc.length).toBeLessThanOrEqual(80);
    expect(desc).not.toMatch(/^(a|an|the) /i);
    expect(desc).not.toMatch(/\.$/);
  });

  test("a trailing slash on the base URL gives no double slash", () => {
    const slashed = renderFormula(TEMPLATE, input({ baseUrl: `${BASE}/` }));
    expect(slashed).toBe(formula);
    expect(assetUrl("https://x.test/a//", "f.tar.gz")).toBe("https://x.test/a/f.tar.gz");
  });

  test("a missing platform, a bad digest or an unsafe URL is an error, not a broken formula", () => {
    const { "linux-arm64": _dropped, ...three } = ASSETS;
    expect(() => renderFormula(TEMPLATE, input({ assets: three as Record<FormulaPlatform, ReleaseAsset> }))).toThrow(/linux-arm64/);
    expect(() =>
      renderFormula(TEMPLATE, input({ assets: { ...ASSETS, "darwin-x64": { name: "x.tar.gz", sha256: "nope" } } })),
    ).toThrow(/SHA-256/);
    expect(() => renderFormula(TEMPLATE, input({ baseUrl: 'https://x.test/"; system "rm' }))).toThrow();
    expect(() => renderFormula(TEMPLATE, input({ baseUrl: "https://x.test/#{ENV}" }))).toThrow();
    expect(() => renderFormula(TEMPLATE, input({ baseUrl: "ftp://x.test/v1" }))).toThrow(/http/);
    expect(() => renderFormula(TEMPLATE, input({ version: "v1.2.3" }))).toThrow(/version/);
  });

  test("renderTemplate reports unknown and unused placeholders", () => {
    expect(renderTemplate("a {{X}} b", { X: "1" })).toBe("a 1 b");
    expect(() => renderTemplate("a {{X}} {{Y}}", { X: "1" })).toThrow(/Y/);
    expect(() => renderTemplate("a {{X}}", { X: "1", Z: "2" })).toThrow(/Z/);
  });

  test("the homepage defaults to the repository of a GitHub release URL", () => {
    expect(defaultHomepage(BASE)).toBe("https://github.com/example/ai-observer");
    expect(defaultHomepage("https://downloads.example.com/ai-observer/")).toBe("https://downloads.example.com/ai-observer");
  });
});

describe("targets", () => {
  test("five platforms; the formula's four are among them", () => {
    expect(TARGETS.map((target) => target.id)).toEqual(["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64"]);
    for (const platform of FORMULA_PLATFORMS) expect(TARGETS.some((target) => target.id === platform)).toBe(true);
  });

  test("names: .exe and .zip only on Windows", () => {
    const names = TARGETS.map((target) => [executableName(target), archiveName(target, "1.2.3")]);
    expect(names).toEqual([
      ["ai-observer-linux-x64", "ai-observer-1.2.3-linux-x64.tar.gz"],
      ["ai-observer-linux-arm64", "ai-observer-1.2.3-linux-arm64.tar.gz"],
      ["ai-observer-darwin-x64", "ai-observer-1.2.3-darwin-x64.tar.gz"],
      ["ai-observer-darwin-arm64", "ai-observer-1.2.3-darwin-arm64.tar.gz"],
      ["ai-observer-windows-x64.exe", "ai-observer-1.2.3-windows-x64.zip"],
    ]);
  });

  test("--target takes repeated and comma-separated values; none means all; unknown is an error", () => {
    expect(selectTargets([]).length).toBe(5);
    expect(selectTargets(["linux-x64,darwin-arm64", "linux-x64", "windows-x64"]).map((target) => target.id)).toEqual([
      "linux-x64",
      "darwin-arm64",
      "windows-x64",
    ]);
    expect(() => selectTargets(["linux-x86"])).toThrow(/unknown target linux-x86/);
  });
});
