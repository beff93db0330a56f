// Hermetic test runs: UTC, no colours, and every temporary file under one folder per run.
import { setDefaultTimeout } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

process.env.TZ = "UTC";
process.env.NO_COLOR = "1";
if (!process.env.AI_OBSERVER_TEST_TMP) {
  process.env.AI_OBSERVER_TEST_TMP = mkdtempSync(join(tmpdir(), "ai-observer-test-"));
}

// The CLI tests spawn processes and build DuckDB files; 5 s is too short on a busy 2-core machine.
setDefaultTimeout(120_000);
