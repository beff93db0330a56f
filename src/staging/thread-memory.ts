import { MemoryGovernor } from "../sources/memory-governor.ts";
import { TextBlockPool } from "../sources/shared/text-arena.ts";
import { FragmentMemory } from "./fragment-memory.ts";

/**
 * The memory a thread parses with, kept from file to file: staged fragments' buffers handed back once written out,
 * the blocks of the texts a transcript keeps as bytes, and the governor that collects the thread's garbage. A run
 * (`ParseRun`) owns the one of its own thread; each parse worker has its own.
 */
export interface ThreadMemory {
  fragments: FragmentMemory;
  texts: TextBlockPool;
  governor: MemoryGovernor;
}

export function newThreadMemory(): ThreadMemory {
  return { fragments: new FragmentMemory(), texts: new TextBlockPool(), governor: new MemoryGovernor() };
}
