// Preloaded into a CLI run whose peak memory a test measures (see peakRssRun in fuzz.test.ts): at exit, writes the
// process's peak resident set (Linux's VmHWM, of this process's own memory since it started) to
// $AI_OBSERVER_TEST_PEAK_FILE. The rusage a parent gets (`maxRSS`) also counts the memory of the process that spawned
// it, as it was before the exec: a test runner grown large would be measured instead of the CLI.
import { readFileSync, writeFileSync } from "node:fs";

const out = process.env.AI_OBSERVER_TEST_PEAK_FILE;
if (out) {
  process.on("exit", () => {
    const kilobytes = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kilobytes) writeFileSync(out, String(Number(kilobytes) * 1024));
  });
}
