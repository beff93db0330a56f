import { ExitCode } from "./errors.ts";
import { JSON_SCHEMA_VERSION, renderJson } from "./render/json.ts";

type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let installed = false;

/**
 * Runs `cleanup` synchronously if the process gets SIGINT or SIGTERM before the returned
 * function unregisters it. Renames into place are synchronous, so a signal never lands
 * between two of them.
 */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

function handle(signal: NodeJS.Signals, json: boolean): void {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      cleanup();
    } catch {
      // best effort: the other cleanups must still run
    }
  }
  cleanups.clear();
  const exitCode = signal === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted;
  const message = `interrupted by ${signal}; no partial files were left`;
  process.stderr.write(`\nerror: ${message}\n`);
  // `--json` promises one object per run, also when the run is interrupted.
  if (json) process.stdout.write(renderJson({ schemaVersion: JSON_SCHEMA_VERSION, status: "error", exitCode, error: message }));
  process.exit(exitCode);
}

export function installSignalHandlers(options: { json: boolean }): void {
  if (installed) return;
  installed = true;
  process.on("SIGINT", () => handle("SIGINT", options.json));
  process.on("SIGTERM", () => handle("SIGTERM", options.json));
}
