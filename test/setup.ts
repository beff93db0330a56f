// Hermetic test runs: UTC, no colours, and every temporary file under one folder per run.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

process.env.TZ = "UTC";
process.env.NO_COLOR = "1";
if (!process.env.AI_OBSERVER_TEST_TMP) {
  process.env.AI_OBSERVER_TEST_TMP = mkdtempSync(join(tmpdir(), "ai-observer-test-"));
}
