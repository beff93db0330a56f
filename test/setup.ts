// Hermetic test runs: UTC, no colours, and every temporary file under one folder per run, removed at its end.
import { afterAll } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { removeTree } from "../src/shared/remove-tree.ts";

process.env.TZ = "UTC";
process.env.NO_COLOR = "1";
if (!process.env.AI_OBSERVER_TEST_TMP) {
  const root = mkdtempSync(join(tmpdir(), "ai-observer-test-"));
  process.env.AI_OBSERVER_TEST_TMP = root;
  // A global hook (this file is preloaded): after the last test file, not after each.
  afterAll(() => removeTree(root));
}
