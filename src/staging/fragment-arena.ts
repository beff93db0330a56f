/** A fragment's place in a `FragmentArena`, handed on with it: whichever thread is done with it gives it back. */
export interface ArenaLease {
  /** The arena's flags, shared: 1 where a fragment was given back and its room not yet taken again. */
  flags: Int32Array;
  slot: number;
}

interface LiveFragment {
  slot: number;
  start: number;
  end: number;
}

/**
 * Memory for the fragments that a parse worker stages for the log stream (`StagedFile.streamLogBytes`: transcripts,
 * most of the bytes a parse stages), which another thread writes: one SharedArrayBuffer, so that a fragment crosses
 * without a copy or a transfer, and its room is taken again once the writer gives it back (`releaseLease`, an atomic
 * flag; no message). A fragment takes the lowest room it fits in, 8-byte aligned (StagedColumns reads Int32 words).
 *
 * Each fragment was a buffer of its own before, handed back to be filled again (FragmentMemory): they came back in
 * bursts, to whichever worker asked next, in sizes that seldom fitted the next file's, so 188-224 MB of each parse
 * worker's 257-291 MB of fragments (the 400 MB transcripts export) were fresh memory, a page fault per 4 KB: ~155,000
 * faults for the export, ~130,000 with this, and 4-5% less time (docs/performance.md [S19]).
 *
 * The buffer grows (by whole MBs) only as fragments are written further in: one of the whole size from the start
 * raised the peak with its size (1 GB of Gemini sessions, `--threads 16`: 467-493 MB at 16 MB, 512-541 MB at 32,
 * against 411-472 MB without), though its pages are reserved, not used, until written. A fragment that finds no room
 * (larger than the arena, or too much not yet written) takes memory elsewhere, as before.
 */
export class FragmentArena {
  /** At most this many fragments in it at once. */
  static readonly SLOTS = 64;
  #data: SharedArrayBuffer | null = null;
  #flags: Int32Array | null = null;
  /** The fragments not yet known to be given back, by where they start. */
  readonly #live: LiveFragment[] = [];
  readonly #freeSlots = Array.from({ length: FragmentArena.SLOTS }, (_, slot) => FragmentArena.SLOTS - 1 - slot);

  /** 16 MB: 32 MB made 5% fewer faults in the transcripts export and added 30 MB to its peak (fragments over it are few). */
  constructor(readonly capacity = 16 << 20) {}

  /** `size` bytes of it (8-byte aligned) and their lease, or null when it has no such room. */
  take(size: number): { bytes: Uint8Array; lease: ArenaLease } | null {
    if (size > this.capacity) return null;
    this.#data ??= new SharedArrayBuffer(0, { maxByteLength: this.capacity });
    this.#flags ??= new Int32Array(new SharedArrayBuffer(FragmentArena.SLOTS * Int32Array.BYTES_PER_ELEMENT));
    this.#reclaim(this.#flags);
    const slot = this.#freeSlots.pop();
    if (slot === undefined) return null;
    const place = this.#lowestRoom(align(size));
    if (place === null) {
      this.#freeSlots.push(slot);
      return null;
    }
    const end = place.start + align(size);
    if (end > this.#data.byteLength) this.#data.grow(Math.min(this.capacity, (end + GROWTH - 1) & -GROWTH));
    this.#live.splice(place.index, 0, { slot, start: place.start, end });
    return { bytes: new Uint8Array(this.#data, place.start, size), lease: { flags: this.#flags, slot } };
  }

  /** The memory it has grown to (written into, or to be). */
  get heldBytes(): number {
    return this.#data?.byteLength ?? 0;
  }

  /** How many fragments it holds that were not given back (tests). */
  get liveFragments(): number {
    if (this.#flags) this.#reclaim(this.#flags);
    return this.#live.length;
  }

  /** Takes back the room of the fragments given back. */
  #reclaim(flags: Int32Array): void {
    for (let i = this.#live.length - 1; i >= 0; i--) {
      const fragment = this.#live[i] as LiveFragment;
      if (Atomics.load(flags, fragment.slot) !== 1) continue;
      Atomics.store(flags, fragment.slot, 0);
      this.#freeSlots.push(fragment.slot);
      this.#live.splice(i, 1);
    }
  }

  /** The lowest start where `bytes` fit between the fragments it holds, and where it goes among them; null: none. */
  #lowestRoom(bytes: number): { start: number; index: number } | null {
    let start = 0;
    for (let index = 0; index < this.#live.length; index++) {
      const fragment = this.#live[index] as LiveFragment;
      if (fragment.start - start >= bytes) return { start, index };
      start = fragment.end;
    }
    return this.capacity - start >= bytes ? { start, index: this.#live.length } : null;
  }
}

/** The buffer grows by whole MBs. */
const GROWTH = 1 << 20;

function align(size: number): number {
  return (size + 7) & ~7;
}

/** Gives a fragment's room back to its arena, from any thread; the fragment's bytes must not be read afterwards. */
export function releaseLease(lease: ArenaLease): void {
  Atomics.store(lease.flags, lease.slot, 1);
}
