import { MemoryGovernor } from "../sources/memory-governor.ts";
import { TextBlockPool } from "../sources/shared/text-arena.ts";
import { FragmentMemory } from "./fragment-memory.ts";
import { FragmentArena } from "./fragment-arena.ts";
import type { StagingMemory } from "./staged-file.ts";

/**
 * The memory a thread parses with, kept from file to file: staged fragments' buffers handed back once written out,
 * on a parse worker the arena of the fragments that the log stream writes on another thread, the blocks of the texts a
 * transcript keeps as bytes, and the governor that collects the thread's garbage. A run (`ParseRun`) owns the one of
 * its own thread; each parse worker has its own.
 */
export interface ThreadMemory extends StagingMemory {
  texts: TextBlockPool;
  governor: MemoryGovernor;
}

/**
 * `worker`: for a parse worker, whose stream fragments cross to the thread that writes them: they go to an arena. On
 * the writing thread itself each comes back before the next file's is made, and FragmentMemory fills it again (with
 * an arena there too, 1 GB of Gemini sessions with `--threads 1` peaked 15 MB higher).
 */
export function newThreadMemory(worker: boolean): ThreadMemory {
  const arena = worker ? new FragmentArena() : null;
  return { fragments: new FragmentMemory(undefined, arena), arena, texts: new TextBlockPool(), governor: new MemoryGovernor() };
}
