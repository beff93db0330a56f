import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { claudeSource } from "../../src/sources/claude/index.ts";
import { codexSource } from "../../src/sources/codex/index.ts";
import { geminiSource } from "../../src/sources/gemini/index.ts";
import { parseWorkerCount, ParseRun, prefetchMayBeUsed, usesLinePrefetch } from "../../src/staging/parse-run.ts";
import { DEFAULT_RUN_SETTINGS, type RunSettings } from "../../src/shared/run-settings.ts";
import { startScanWorker } from "../../src/staging/line-prefetch.ts";
import { CLAUDE_SELECTOR } from "../../src/sources/claude/parse.ts";
import { LinePrefetch } from "../../src/staging/line-prefetch.ts";
import { FileBytes, readFileBytes, setChunkSizeForTests } from "../../src/sources/shared/byte-source.ts";
import { type LineSelection, PieceCollector, selectLines } from "../../src/sources/shared/jsonl.ts";
import type { DiscoveredFile, ParsedFile, SessionSource } from "../../src/sources/types.ts";
import { SEQ_PER_FILE, type StagedFile } from "../../src/staging/staged-file.ts";
import { StagedRows } from "../../src/staging/staged-rows.ts";
import { FIXTURES, discovered, tempDir } from "./helpers.ts";

function sha256(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

function filesUnder(dir: string, suffixes: string[]): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => suffixes.some((suffix) => name.endsWith(suffix)))
    .sort()
    .map((name) => join(dir, name));
}

const claudeLine = (fields: Record<string, unknown>, text: string) =>
  JSON.stringify({
    type: "assistant",
    sessionId: "s1",
    timestamp: "2026-03-01T10:00:00.123Z",
    requestId: "req_1",
    cwd: "/home/dev/app",
    ...fields,
    message: { id: fields["id"] ?? "msg_1", role: "assistant", model: "claude-sonnet-4-5", content: [{ type: "text", text }], usage: { input_tokens: 7, output_tokens: 3 } },
  });

/** A Claude file with every awkward shape: long lines, NUL runs, CRLF, blank lines, non-ASCII, escapes, no final newline. */
function awkwardClaudeFile(dir: string): string {
  const lines = [
    claudeLine({ id: "msg_a" }, "plain"),
    JSON.stringify({ type: "user", message: { content: "x".repeat(5000) } }),
    claudeLine({ id: "msg_b", cwd: "/home/dév/プロジェクト" }, "non-ASCII folder"),
    claudeLine({ id: "msg_c", cwd: "/home/d\u00e9v" }, "é again"),
    claudeLine({ id: "msg_d", agentId: "agent-ü" }, "non-ASCII agent id: parsed from UTF-8"),
    claudeLine({ id: "msg_e" }, "long ".repeat(3000)),
    "",
    "   ",
    `${claudeLine({ id: "msg_f" }, "crlf")}\r`,
    `\u0000\u0000\u0000${claudeLine({ id: "msg_g" }, "after a NUL run")}`,
    claudeLine({ id: "msg_h" }, "truncated").slice(0, -2),
    claudeLine({ id: "msg_i", timestamp: "2026-03-01T12:00:00+02:00" }, "offset timestamp"),
    JSON.stringify({ type: "summary", text: '"usage" "assistant" but not a response' }),
    // The first "content" key is not message.content: the elided reading is refused, the line read again whole.
    claudeLine({ id: "msg_k", content: { note: "a top-level content key first" } }, "message.content after it"),
    claudeLine({ id: "msg_j" }, "no final newline"),
  ];
  const path = join(dir, "0f0e0d0c-0b0a-4000-8000-000000000001.jsonl");
  // The escape: a JSON `\u00e9` in a cwd makes the Latin-1 reading ambiguous; the line is then read as UTF-8.
  writeFileSync(path, lines.join("\n").replace("/home/d\u00e9v", "/home/d\\u00e9v"));
  return path;
}

afterEach(() => setChunkSizeForTests(undefined));

describe("reader: SHA-256 of the bytes on disk, computed while parsing", () => {
  test("a plain Claude file and a zstd Codex file", async () => {
    const dir = tempDir("sha");
    const plain = awkwardClaudeFile(dir);
    const parsed = await claudeSource.parseFile(discovered(plain));
    expect(parsed.sha256).toBe(sha256(readFileSync(plain)));

    const rollout = filesUnder(join(FIXTURES, "codex", "sessions"), [".jsonl"])[0] as string;
    const zst = join(dir, "rollout-2026-01-02T11-00-00-019b0000-0000-7000-8000-00000000000a.jsonl.zst");
    writeFileSync(zst, Bun.zstdCompressSync(readFileSync(rollout)));
    const fromZst = await codexSource.parseFile(discovered(zst));
    expect(fromZst.sha256).toBe(sha256(readFileSync(zst)));
    expect(fromZst.sha256).not.toBe(sha256(readFileSync(rollout)));
    expect(fromZst.bytes).toBe(readFileSync(rollout).length);

    const whole = await readFileBytes(zst);
    expect(whole.sha256).toBe(sha256(readFileSync(zst)));
    expect(whole.bytes.equals(readFileSync(rollout))).toBe(true);
  });

  test("a whole plain file at once: its bytes and SHA-256, also when it grew after it was opened", async () => {
    const dir = tempDir("whole");
    const path = join(dir, "session-2026-01-01T00-00-abcdef01.json");
    const first = Buffer.from(`{"sessionId":"s","messages":[${'"ü",'.repeat(50_000)}"end"]}`);
    writeFileSync(path, first);
    setChunkSizeForTests(4096); // the chunked way would take many reads: the whole way takes none of them
    const read = await readFileBytes(path);
    expect(read.bytes.equals(first)).toBe(true);
    expect(read.sha256).toBe(sha256(first));

    // Written to while read: what is there when it is read, past the room made for growth.
    const file = await FileBytes.open(path, { hash: true });
    try {
      const more = Buffer.alloc(300_000, "x");
      appendFileSync(path, more);
      const whole = file.readWhole();
      expect(whole?.equals(Buffer.concat([first, more]))).toBe(true);
      expect(file.sha256()).toBe(sha256(readFileSync(path)));
    } finally {
      await file.close();
    }
  });

  test("without hashing (export --from-files): the same events and no SHA-256", async () => {
    const dir = tempDir("nohash");
    const plain = awkwardClaudeFile(dir);
    const hashed = await claudeSource.parseFile(discovered(plain));
    const unhashed = await claudeSource.parseFile(discovered(plain), { hash: false });
    expect(hashed.sha256).toBe(sha256(readFileSync(plain)));
    expect(unhashed.sha256).toBe("");
    expect(unhashed.events).toEqual(hashed.events);
    const staged = async (hash: boolean) => (await stageAll([discovered(plain)], { hash })).staged[0]?.file.sha256;
    expect(await staged(true)).toBe(hashed.sha256);
    expect(await staged(false)).toBe("");
  });

  test("every source reports it (Gemini documents and logs too)", async () => {
    const cases: [SessionSource, string[]][] = [
      [claudeSource, filesUnder(join(FIXTURES, "claude"), [".jsonl"])],
      [codexSource, filesUnder(join(FIXTURES, "codex"), [".jsonl"])],
      [geminiSource, filesUnder(join(FIXTURES, "gemini"), [".json", ".jsonl"])],
    ];
    for (const [source, paths] of cases) {
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) expect((await source.parseFile(discovered(path))).sha256).toBe(sha256(readFileSync(path)));
    }
  });
});

describe("reader: chunk boundaries never change the result", () => {
  const sizes = [5, 7, 64, 1000, 4099];

  async function parseWith(source: SessionSource, path: string, size: number | undefined): Promise<ParsedFile> {
    setChunkSizeForTests(size);
    return source.parseFile(discovered(path));
  }

  test("an awkward Claude file: needles, NULs and whitespace straddling chunks", async () => {
    const path = awkwardClaudeFile(tempDir("chunks"));
    const expected = await parseWith(claudeSource, path, undefined);
    expect(expected.events.map((event) => event.key)).toEqual(
      ["msg_a", "msg_b", "msg_c", "msg_d", "msg_e", "msg_f", "msg_g", "msg_i", "msg_k", "msg_j"].map((id) => `claude:${id}`),
    );
    const cwd = (key: string) => expected.events.find((event) => event.key === key)?.logs[0]?.attributes["cwd"];
    expect(cwd("claude:msg_b")).toBe("/home/dév/プロジェクト");
    expect(cwd("claude:msg_c")).toBe("/home/d\u00e9v");
    expect(expected.events.find((event) => event.key === "claude:msg_d")?.logs[0]?.attributes["agent.id"]).toBe("agent-ü");
    expect(expected.badLines).toBe(1);
    for (const size of sizes) expect(await parseWith(claudeSource, path, size)).toEqual(expected);
  });

  test("the fixtures of all three tools, plain and zstd", async () => {
    const dir = tempDir("chunks-zst");
    const rollout = filesUnder(join(FIXTURES, "codex", "sessions"), [".jsonl"])[0] as string;
    const zst = join(dir, "rollout-2026-01-02T11-00-00-019b0000-0000-7000-8000-00000000000a.jsonl.zst");
    writeFileSync(zst, Bun.zstdCompressSync(readFileSync(rollout)));
    const cases: [SessionSource, string[]][] = [
      [claudeSource, filesUnder(join(FIXTURES, "claude"), [".jsonl"])],
      [codexSource, [...filesUnder(join(FIXTURES, "codex"), [".jsonl"]), zst]],
      [geminiSource, filesUnder(join(FIXTURES, "gemini"), [".json", ".jsonl"])],
    ];
    for (const [source, paths] of cases) {
      for (const path of paths) {
        const expected = await parseWith(source, path, undefined);
        for (const size of sizes) expect(await parseWith(source, path, size)).toEqual(expected);
      }
    }
  });
});

/** Stages `files` like import and export do; returns what was handed on and what the row files hold. */
/** Waits (at most 10 s) until the prefetch's worker has done each of `files`. */
async function servedAll(prefetch: LinePrefetch | null, files: readonly DiscoveredFile[]): Promise<void> {
  for (let waited = 0; !files.every((file) => prefetch?.served(file.path)) && waited < 10_000; waited += 10) await Bun.sleep(10);
}

async function stageAll(files: DiscoveredFile[], options: { hash?: boolean; signal?: AbortSignal; onStaged?: () => void; memoryBudget?: number; settings?: Partial<RunSettings> } = {}) {
  const rows = new StagedRows(options.memoryBudget);
  await using run = new ParseRun({ ...DEFAULT_RUN_SETTINGS, ...options.settings });
  const staged: StagedFile[] = [];
  const order: string[] = [];
  try {
    const failed = await run.stage(
      claudeSource,
      files,
      rows,
      (result) => {
        // Copies: the rows own the fragments, whose memory is filled again once they are written out.
        staged.push({ ...result, logBytes: Uint8Array.from(result.logBytes), metricBytes: Uint8Array.from(result.metricBytes) });
        options.onStaged?.();
      },
      { hash: options.hash, signal: options.signal, progress: { onFileParsed: (_tool, file) => order.push(file.path) } },
    );
    rows.close();
    // Per staged event with log rows, its seq (from the fragment's file number) and its row count.
    const logRows: { seq: number; rows: number }[] = [];
    for (const fragment of rows.fragments("logs")) {
      for (let event = 0; event < fragment.events; event++) {
        const count = fragment.rowStart(event + 1) - fragment.rowStart(event);
        if (count > 0) logRows.push({ seq: fragment.ordinal * SEQ_PER_FILE + event, rows: count });
      }
    }
    // Each fragment copied as it is read back (the next one is read into the same memory).
    const bytes = (table: "logs" | "metrics") => Buffer.concat(Array.from(rows.fragments(table), (fragment) => Buffer.from(fragment.bytes)));
    return { staged, failed, order, logRows, logs: bytes("logs"), metrics: bytes("metrics") };
  } finally {
    rows.dispose();
  }
}

describe("ParseRun: worker threads", () => {
  function inputs(): DiscoveredFile[] {
    const dir = tempDir("pool");
    const paths = [awkwardClaudeFile(dir), ...filesUnder(join(FIXTURES, "claude"), [".jsonl"])];
    const files = paths.map((path) => ({ path, size: readFileSync(path).length, mtimeMs: 0 }));
    // A file that vanished after discovery: a failure, in its place.
    files.splice(1, 0, { path: join(dir, "gone.jsonl"), size: 10, mtimeMs: 0 });
    return files;
  }

  async function run(workers: number, files: DiscoveredFile[], linePrefetch: boolean | null = null) {
    return stageAll(files, { settings: { parseWorkers: workers, linePrefetch } });
  }

  test("how many: none for small inputs or when turned off", () => {
    expect(parseWorkerCount(100, 1 << 30, true, 0)).toBe(0);
    expect(parseWorkerCount(1, 1 << 30, true)).toBe(0);
    expect(parseWorkerCount(100, 1000, true)).toBe(0);
    expect(parseWorkerCount(100, 1000, true, 2)).toBe(Math.min(2, navigator.hardwareConcurrency));
    // Two cores, no hashing: here up to 768 MB (the workers' JIT would compete with the parse); else from 8 MB.
    const count = (bytes: number, cpus: number, hash = false) => parseWorkerCount(100, bytes, hash, null, cpus);
    expect(count(400 << 20, 2)).toBe(0);
    expect(count(1 << 30, 2)).toBe(2);
    expect(count(400 << 20, 2, true)).toBe(2);
    expect(count(400 << 20, 8)).toBe(4);
    expect(count(4 << 20, 8)).toBe(0);
    // A heavy parse (transcripts, Gemini's whole documents): at most 2, each heap holding ~100 MB of garbage.
    expect(parseWorkerCount(100, 1 << 30, false, null, 16, 2)).toBe(2);
    expect(count(1 << 30, 1)).toBe(0);
  });

  test("the same files, failures and order as in this thread", async () => {
    const files = inputs();
    const local = await run(0, files);
    const pooled = await run(3, files);
    expect(pooled).toEqual(local);
    expect(local.failed.map((failure) => failure.reason)).toEqual(["no such file or folder"]);
    expect(local.order).toEqual(files.filter((file) => !file.path.endsWith("gone.jsonl")).map((file) => file.path));
    expect(local.staged.map((staged) => staged.file.path)).toEqual(local.order);
    // Every event's rows are staged under its seq, which numbers the files in order.
    const seqs = local.staged.flatMap((staged) => staged.events.records().map((event) => event.seq));
    expect(seqs.length).toBeGreaterThan(10);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const withLogs = local.staged.flatMap((staged) => staged.events.records().filter((event) => event.logs > 0).map((event) => ({ seq: event.seq, rows: event.logs })));
    expect(withLogs.length).toBeGreaterThan(10);
    expect(local.logRows).toEqual(withLogs);
    expect(local.metrics.length).toBeGreaterThan(0);
  });

  test("every fragment written out at once: its memory is filled again (here and on workers), the rows are the same", async () => {
    const files = inputs();
    const held = await stageAll(files, { settings: { parseWorkers: 0 } });
    const here = await stageAll(files, { memoryBudget: 0, settings: { parseWorkers: 0 } });
    const pooled = await stageAll(files, { memoryBudget: 0, settings: { parseWorkers: 2 } });
    expect(here).toEqual(held);
    expect(pooled).toEqual(held);
    expect(held.logs.length).toBeGreaterThan(1000);
  });

  test("lines selected ahead on a worker (the line prefetch): the same files, failures, events and stats as reading here", async () => {
    const dir = tempDir("prefetch");
    // A last line still being written (no newline, not JSON yet) and one that parses without a newline.
    const truncated = join(dir, "0f0e0d0c-0b0a-4000-8000-000000000002.jsonl");
    writeFileSync(truncated, `${claudeLine({ id: "msg_t1" }, "whole")}\n${claudeLine({ id: "msg_t2" }, "cut").slice(0, 40)}`);
    const files = [...inputs(), { path: truncated, size: readFileSync(truncated).length, mtimeMs: 0 }];
    const here = await run(0, files, false);
    const ahead = await run(0, files, true);
    expect(ahead).toEqual(here);
    expect(here.failed.map((failure) => failure.reason)).toEqual(["no such file or folder"]);
    const last = here.staged.at(-1)?.file;
    expect(last?.path).toBe(truncated);
    expect(last?.completeBytes).toBeLessThan(last?.bytes ?? 0);
    expect(here.staged.some((staged) => staged.file.badLines > 0)).toBe(true);
  });

  test("lines selected for another thread leave out the first content value, the rest of each line as it was", () => {
    const withContent = JSON.parse(claudeLine({ id: "msg_1" }, "text ".repeat(100))) as { message: Record<string, unknown> };
    const topLevelFirst = JSON.parse(claudeLine({ id: "msg_2", content: "first" }, "second")) as { content: unknown; message: Record<string, unknown> };
    const noContent = JSON.stringify({ type: "assistant", message: { usage: { input_tokens: 1 } } });
    const unterminated = '{"type":"assistant","message":{"content":[{"text":"never closed';
    const collector = new PieceCollector(16, undefined, CLAUDE_SELECTOR.elide);
    for (const line of [JSON.stringify(withContent), JSON.stringify(topLevelFirst), noContent, unterminated]) collector.piece(Buffer.from(`  ${line}  `), 2, 2 + line.length, false);
    const { pieces, ends } = collector.finish({ lines: 4 } as LineSelection);
    const texts = Array.from(ends, (end, i) => pieces.toString("utf8", i === 0 ? 0 : (ends[i - 1] as number), end));
    expect(JSON.parse(texts[0] as string)).toEqual({ ...withContent, message: { ...withContent.message, content: 0 } });
    expect(JSON.parse(texts[1] as string)).toEqual({ ...topLevelFirst, content: 0 });
    expect(texts.slice(2)).toEqual([noContent, unterminated]);
    expect(pieces.length).toBeLessThan(JSON.stringify(withContent).length);
  });

  test("LinePrefetch: the worker selects each file's lines and says why a file could not be read", async () => {
    const files = inputs();
    const worker = startScanWorker();
    expect(worker).not.toBeNull();
    const prefetch = worker && LinePrefetch.start(worker, "claude-code", files, false, false);
    let compared = 0;
    try {
      // Each file once the worker has done it: a file taken before the worker begins it is read here (next test).
      const readable = files.filter((file) => !file.path.endsWith("gone.jsonl"));
      await servedAll(prefetch, readable);
      for (const file of files) {
        const taken = prefetch?.take(file.path);
        if (file.path.endsWith("gone.jsonl")) {
          const failure = await (taken ?? Promise.resolve(null)).then(
            () => null,
            (error: unknown) => error,
          );
          expect(failure).toMatchObject({ code: "ENOENT" });
          continue;
        }
        const selected = await taken;
        // What the worker handed over equals a selection made here, with the same value elided.
        const collector = new PieceCollector(1024, undefined, CLAUDE_SELECTOR.elide);
        const local = collector.finish(await selectLines(file.path, CLAUDE_SELECTOR, { hash: false }, collector));
        const pieces: string[] = [];
        local.ends.reduce((start, end) => (pieces.push(local.pieces.toString("latin1", start, end)), end), 0);
        compared += pieces.length;
        expect(selected?.selection).toEqual(local.selection);
        const replayed: string[] = [];
        let start = 0;
        for (const end of selected?.ends ?? []) {
          replayed.push(Buffer.from(selected?.pieces.subarray(start, end) ?? []).toString("latin1"));
          start = end;
        }
        expect(replayed).toEqual(pieces);
      }
      expect(compared).toBeGreaterThan(10);
      expect(prefetch?.take(files[0]?.path ?? "")).toBeNull(); // taken once
    } finally {
      prefetch?.close();
    }
  });

  test("LinePrefetch: a file the worker has not begun is read here, and the worker skips it", async () => {
    const files = inputs().filter((file) => !file.path.endsWith("gone.jsonl"));
    const worker = startScanWorker();
    expect(worker).not.toBeNull();
    const prefetch = worker && LinePrefetch.start(worker, "claude-code", files, false, false);
    try {
      const [first, ...rest] = files as [DiscoveredFile, ...DiscoveredFile[]];
      // Taken at once: the worker is still loading (tens of ms), so the parse claims the file.
      expect(prefetch?.take(first.path)).toBeNull();
      // The others once the worker has done them (a file the worker has begun is waited for).
      await servedAll(prefetch, rest);
      for (const file of rest) expect(await prefetch?.take(file.path)).not.toBeNull();
      expect(prefetch?.served(first.path)).toBe(false);
      // Taken from the parse, the file is no longer the prefetch's.
      expect(prefetch?.take(first.path)).toBeNull();
    } finally {
      prefetch?.close();
    }
  });

  test("the line prefetch is used for sources with a line selector, two files or more and 32 MB (or when forced)", () => {
    expect(usesLinePrefetch(claudeSource, 10, 64 << 20)).toBe(true);
    expect(usesLinePrefetch(claudeSource, 10, 1 << 20)).toBe(false);
    expect(usesLinePrefetch(claudeSource, 10, 1 << 20, true)).toBe(true);
    expect(usesLinePrefetch(claudeSource, 10, 64 << 20, false)).toBe(false);
    expect(usesLinePrefetch(claudeSource, 1, 64 << 20)).toBe(false);
    // Codex's and Gemini's selectors keep state within a file: their lines are selected where they are parsed.
    expect(usesLinePrefetch(codexSource, 10, 64 << 20, true)).toBe(false);
    expect(usesLinePrefetch(geminiSource, 10, 64 << 20, true)).toBe(false);
  });

  test("the prefetch's worker is started ahead only where a parse here may use it", () => {
    const by = (settings: Partial<RunSettings>) => ({ ...DEFAULT_RUN_SETTINGS, ...settings });
    expect(prefetchMayBeUsed(["claude-code"], false, by({}), 2)).toBe(true);
    expect(prefetchMayBeUsed(["codex", "gemini", "claude-code"], false, by({}), 2)).toBe(true);
    expect(prefetchMayBeUsed(["codex", "gemini"], false, by({}), 2)).toBe(false); // no line selector
    expect(prefetchMayBeUsed(["claude-code"], true, by({}), 2)).toBe(false); // hashing: parse workers from 8 MB
    expect(prefetchMayBeUsed(["claude-code"], false, by({}), 8)).toBe(false); // more cores: parse workers from 8 MB
    expect(prefetchMayBeUsed(["claude-code"], false, by({ parseWorkers: 2 }), 2)).toBe(false);
    expect(prefetchMayBeUsed(["claude-code"], false, by({ linePrefetch: false }), 2)).toBe(false);
    expect(prefetchMayBeUsed(["claude-code"], false, by({ parseWorkers: 0 }), 8)).toBe(true);
  });

  test("an abort rejects with the signal's reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const parse = stageAll(inputs(), { signal: controller.signal, onStaged: () => controller.abort(reason), settings: { parseWorkers: 2 } });
    await expect(parse).rejects.toBe(reason);
  });
});
