import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { sourceFor } from "../src/sources/registry.ts";
import { claudeLines } from "./helpers/claude-lines.ts";
import { CLI, hermeticEnv, REPO_ROOT } from "./helpers/run-cli.ts";
import { sessionEnv } from "./helpers/session-tree.ts";
import { tempDir } from "./helpers/temp.ts";

// Randomly corrupted session files of every tool, as crashes, full disks and bad copies leave them: the CLI must read
// what is readable, count the rest as bad lines, never fail a file or the run, and stay within the memory the
// benchmark holds it to. The seed is printed; AI_OBSERVER_FUZZ_SEED=<n> replays a run.
setDefaultTimeout(180_000);

const SEED = Number(process.env.AI_OBSERVER_FUZZ_SEED ?? Date.now() % 1_000_000);
const MEMORY_BOUND = 512 * 1024 * 1024;
const MB = 1 << 20;

/** mulberry32: a small seeded generator, so that a failing run can be replayed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

type Corruption = (bytes: Buffer, random: () => number) => Buffer;

const at = (bytes: Buffer, random: () => number) => Math.floor(random() * (bytes.length + 1));
const splice = (bytes: Buffer, offset: number, inserted: Buffer) => Buffer.concat([bytes.subarray(0, offset), inserted, bytes.subarray(offset)]);

const CORRUPTIONS: Record<string, Corruption> = {
  "nul-tail": (bytes) => Buffer.concat([bytes, Buffer.alloc(24 * MB)]),
  "nul-run-inside": (bytes, random) => splice(bytes, at(bytes, random), Buffer.alloc(Math.floor(random() * 2 * MB) + 1)),
  "nul-every-other-byte": (bytes) => {
    const out = Buffer.alloc(bytes.length * 2);
    for (let i = 0; i < bytes.length; i++) out[i * 2] = bytes[i] as number;
    return out;
  },
  truncated: (bytes, random) => bytes.subarray(0, at(bytes, random)),
  "bit-flips": (bytes, random) => {
    const out = Buffer.from(bytes);
    for (let n = 0; n < 64 && out.length > 0; n++) {
      const index = Math.floor(random() * out.length);
      out[index] = (out[index] as number) ^ (1 << Math.floor(random() * 8));
    }
    return out;
  },
  "huge-line": (bytes, random) => splice(bytes, at(bytes, random), Buffer.from(`\n{"type":"assistant","message":{"content":"${"x".repeat(12 * MB)}"}}\n`)),
  "deep-nesting": (bytes, random) => splice(bytes, at(bytes, random), Buffer.from(`\n${"[".repeat(200_000)}${"]".repeat(200_000)}\n${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}\n`)),
  "random-bytes": (bytes, random) => splice(bytes, at(bytes, random), Buffer.from(Array.from({ length: 256 << 10 }, () => Math.floor(random() * 256)))),
  "crlf-and-blank-lines": (bytes) => Buffer.from(bytes.toString("latin1").replaceAll("\n", "\r\n\r\n  \r\n"), "latin1"),
};

interface Tree {
  claude: string;
  codex: string;
  gemini: string;
  fed: number;
}

/** Every session file of the repository's fixtures (and a generated Claude file), as each tool finds them, once per corruption. */
async function corruptedTree(random: () => number): Promise<Tree> {
  const home = tempDir("fuzz-");
  const tree = { claude: join(home, "claude"), codex: join(home, "codex"), gemini: join(home, "gemini"), fed: 0 };
  const generated = join(tempDir("fuzz-source-"), "claude", "p", "33333333-3333-4333-8333-333333333333.jsonl");
  mkdirSync(dirname(generated), { recursive: true });
  writeFileSync(generated, claudeLines(200));
  const sources = [
    { tool: "claude-code", root: join(REPO_ROOT, "test", "fixtures", "claude", "projects"), into: tree.claude },
    { tool: "claude-code", root: dirname(dirname(generated)), into: tree.claude },
    { tool: "codex", root: join(REPO_ROOT, "test", "fixtures", "codex", "sessions"), into: tree.codex },
    { tool: "gemini", root: join(REPO_ROOT, "test", "fixtures", "gemini", "tmp"), into: tree.gemini },
  ] as const;
  for (const { tool, root, into } of sources) {
    for (const { path: file } of (await sourceFor(tool).discover([root])).files) {
      const bytes = readFileSync(file);
      for (const [name, corrupt] of Object.entries(CORRUPTIONS)) {
        const target = join(into, name, relative(root, file));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, corrupt(bytes, random));
        tree.fed++;
      }
    }
  }
  return tree;
}

interface Measured {
  exitCode: number;
  stdout: string;
  stderr: string;
  maxRss: number;
}

const PEAK_RSS_PRELOAD = join(import.meta.dir, "helpers", "peak-rss.ts");

/**
 * Runs the CLI and measures its peak memory: on Linux its own (VmHWM, written at exit by helpers/peak-rss.ts), as the
 * rusage `maxRSS` would include this test runner's memory before the exec (it read 543 MB for a 338 MB run after the
 * suite's in-process tests had grown the runner); elsewhere `maxRSS`.
 */
async function measured(args: string[], env: Record<string, string>): Promise<Measured> {
  const peakFile = join(tempDir("fuzz-peak-"), "peak");
  const proc = Bun.spawn(["bun", "--preload", PEAK_RSS_PRELOAD, CLI, ...args], { cwd: REPO_ROOT, env: hermeticEnv({ ...env, AI_OBSERVER_TEST_PEAK_FILE: peakFile }), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const ownPeak = existsSync(peakFile) ? Number(readFileSync(peakFile, "utf8")) : Number.NaN;
  return { exitCode, stdout, stderr, maxRss: Number.isFinite(ownPeak) ? ownPeak : (proc.resourceUsage()?.maxRSS ?? Number.NaN) };
}

describe("fuzz: corrupted session files of every tool", () => {
  test(`never a failed file or run, bad lines counted, memory bounded (seed ${SEED})`, async () => {
    const tree = await corruptedTree(generator(SEED));
    const env = sessionEnv(tree.claude, tree.codex, tree.gemini);
    const bytes = filesUnder(join(tree.claude, "..")).reduce((sum, file) => sum + statSync(file).size, 0);

    const exported = await measured(["export", "all", "--from-files", "--output", join(tempDir(), "out"), "--yes", "--json"], env);
    expect(exported.stderr).toBe("");
    expect(exported.exitCode).toBe(0);
    const input = JSON.parse(exported.stdout).input;
    expect(input.failed).toEqual([]);
    expect(input.files).toBe(tree.fed);
    expect(input.badLines).toBeGreaterThan(0);

    const imported = await measured(["import", "all", "--db", join(tempDir(), "fuzz.duckdb"), "--yes", "--json"], env);
    expect(imported.stderr).toBe("");
    expect(imported.exitCode).toBe(0);
    expect(JSON.parse(imported.stdout).tools.flatMap((tool: { files: { failed: unknown[] } }) => tool.files.failed)).toEqual([]);

    const peak = Math.max(exported.maxRss, imported.maxRss);
    console.log(`fuzz: ${tree.fed} corrupted files (${(bytes / MB).toFixed(0)} MB) fed to export --from-files and import, ${input.badLines} bad lines; peak RSS ${(peak / MB).toFixed(0)} MB (export ${(exported.maxRss / MB).toFixed(0)}, import ${(imported.maxRss / MB).toFixed(0)}); seed ${SEED}`);
    expect(peak).toBeLessThan(MEMORY_BOUND);
  });
});
