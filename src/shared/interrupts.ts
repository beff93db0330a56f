type Cleanup = () => void;

const cleanups = new Set<Cleanup>();

/**
 * Runs `cleanup` synchronously if the process gets SIGINT or SIGTERM before the returned
 * function unregisters it. Renames into place are synchronous, so a signal never lands
 * between two of them.
 */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs the registered cleanups, the latest first, each whatever the others do (the signal handler, signals.ts). */
export function runInterruptCleanups(): void {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      cleanup();
    } catch {
      // best effort: the other cleanups must still run
    }
  }
  cleanups.clear();
}
