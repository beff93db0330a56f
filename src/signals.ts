import { ExitCode } from "./shared/errors.ts";
import { runInterruptCleanups } from "./shared/interrupts.ts";
import { JSON_SCHEMA_VERSION, renderJson } from "./render/json.ts";

let installed = false;

function handle(signal: NodeJS.Signals, json: boolean): void {
  runInterruptCleanups();
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
