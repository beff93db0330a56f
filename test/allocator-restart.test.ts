import { describe, expect, test } from "bun:test";
import { parsesHeavily, restartWithPurgeDelay } from "../src/allocator-restart.ts";

describe("the restart with mimalloc's purge delay", () => {
  test("is for a parse of session files with transcripts or of tools beside Claude Code", () => {
    const cases: [string | undefined, boolean, boolean, boolean][] = [
      ["claude-code", true, true, true],
      ["claude-code", true, false, false],
      ["gemini", true, false, true],
      ["all", true, false, true],
      [undefined, true, false, true],
      ["claude-code", false, true, false],
      ["all", false, true, false],
    ];
    for (const [source, fromFiles, transcripts, heavy] of cases) expect([source, fromFiles, transcripts, parsesHeavily(source, { fromFiles, transcripts })]).toEqual([source, fromFiles, transcripts, heavy]);
  });

  test("not from source: `bun src/cli.ts` (and this test) goes on in its own process, with the environment it had", () => {
    // Were it to restart here, this test's process would be replaced and never reach the expectation.
    const before = process.env["MIMALLOC_PURGE_DELAY"];
    restartWithPurgeDelay(true);
    expect(process.env["MIMALLOC_PURGE_DELAY"]).toBe(before);
  });
});
