import { describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parsesHeavily, restartWithPurgeDelay } from "../src/shared/allocator-restart.ts";
import { runExport } from "../src/export/run-export.ts";
import { runImport } from "../src/import/run-import.ts";
import { readRunSettings } from "../src/shared/run-settings.ts";
import { parseSource } from "../src/shared/sources.ts";
import { claudeLines } from "./helpers/claude-lines.ts";
import { tempDir } from "./helpers/temp.ts";

const MB = 1 << 20;

describe("the restart with mimalloc's purge delay", () => {
  test("is for a parse of 64 MB or more of session files, with transcripts or of tools beside Claude Code", () => {
    const cases: [string[], boolean, number, boolean][] = [
      [["claude-code"], true, 64 * MB, true],
      [["claude-code"], true, 64 * MB - 1, false],
      [["claude-code"], false, 1024 * MB, false],
      [["gemini"], false, 100 * MB, true],
      [["claude-code", "codex", "gemini"], false, 100 * MB, true],
      [["codex"], false, 0, false],
    ];
    for (const [tools, transcripts, bytes, heavy] of cases) expect([tools, transcripts, bytes, parsesHeavily(tools, { transcripts, bytes })]).toEqual([tools, transcripts, bytes, heavy]);
  });

  test("not from source: `bun src/cli.ts` (and this test) goes on in its own process, with the environment it had", () => {
    // Were it to restart here, this test's process would be replaced and never reach the expectation.
    const before = process.env["MIMALLOC_PURGE_DELAY"];
    restartWithPurgeDelay(true);
    expect(process.env["MIMALLOC_PURGE_DELAY"]).toBe(before);
  });
});

describe("the bytes a run will parse, reported once the files are found and before any is read", () => {
  /** Runs `work` with the Claude sessions at `root` and no other tool's. */
  async function withSessions<T>(root: string, work: () => Promise<T>): Promise<T> {
    const none = tempDir("no-sessions-");
    const saved = { claude: process.env.AI_OBSERVER_CLAUDE_PATH, codex: process.env.CODEX_HOME };
    Object.assign(process.env, { AI_OBSERVER_CLAUDE_PATH: root, CODEX_HOME: none });
    try {
      return await work();
    } finally {
      for (const [name, value] of [["AI_OBSERVER_CLAUDE_PATH", saved.claude], ["CODEX_HOME", saved.codex]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  }

  test("an import: every file the first time, none when nothing changed (no report), the changed file's, every file with --force", async () => {
    const root = join(tempDir("claude-"), "projects");
    const project = join(root, "-home-me-project");
    mkdirSync(project, { recursive: true });
    const [a, b] = [join(project, "a.jsonl"), join(project, "b.jsonl")];
    writeFileSync(a, claudeLines(30));
    writeFileSync(b, claudeLines(20, 100));
    const db = join(tempDir("import-"), "ai-observer.duckdb");
    const reported: number[] = [];
    const importOnce = (force = false) =>
      withSessions(root, () =>
        runImport(
          { tools: ["claude-code"], range: {}, location: { path: db, origin: "--db" }, dryRun: false, force, transcripts: true, yes: true, settings: readRunSettings(undefined), hostName: null },
          { confirm: async () => true, onFilesFound: (bytes) => reported.push(bytes) },
        ),
      );
    const size = (path: string) => statSync(path).size;
    expect((await importOnce()).status).toBe("imported");
    expect(reported).toEqual([size(a) + size(b)]);
    expect((await importOnce()).status).toBe("nothing");
    expect(reported).toHaveLength(1);
    appendFileSync(b, claudeLines(5, 200));
    expect((await importOnce()).status).toBe("imported");
    expect(reported.slice(1)).toEqual([size(b)]);
    await importOnce(true);
    expect(reported.slice(2)).toEqual([size(a) + size(b)]);
  });

  test("an export reads every file found", async () => {
    const root = join(tempDir("claude-"), "projects");
    const project = join(root, "-home-me-project");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "a.jsonl"), claudeLines(12));
    writeFileSync(join(project, "b.jsonl"), claudeLines(8, 50));
    const reported: number[] = [];
    const result = await withSessions(root, () =>
      runExport(
        {
          selection: parseSource("claude-code"),
          range: {},
          outputDir: join(tempDir("export-"), "out"),
          input: { kind: "files", tools: ["claude-code"], transcripts: false, hostName: null },
          zip: false,
          deleteAfter: false,
          dryRun: true,
          yes: true,
          settings: readRunSettings(undefined),
          layout: "flat",
        },
        { confirm: async () => true, onFilesFound: (bytes) => reported.push(bytes) },
      ),
    );
    expect(result.status).toBe("dry-run");
    expect(reported).toEqual([statSync(join(project, "a.jsonl")).size + statSync(join(project, "b.jsonl")).size]);
  });
});
