import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh folder under this test run's temporary root (see test/setup.ts). */
export function tempDir(prefix = "case-"): string {
  return mkdtempSync(join(process.env.AI_OBSERVER_TEST_TMP ?? tmpdir(), prefix));
}
