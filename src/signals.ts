import { ExitCode } from "./errors.ts";

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

function handle(signal: NodeJS.Signals): void {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      cleanup();
    } catch {
      // best effort: the other cleanups must still run
    }
  }
  cleanups.clear();
  process.stderr.write(`\nerror: interrupted by ${signal}; no partial files were left\n`);
  process.exit(signal === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted);
}

export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  process.on("SIGINT", () => handle("SIGINT"));
  process.on("SIGTERM", () => handle("SIGTERM"));
}
