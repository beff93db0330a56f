import { writeSync } from "node:fs";

/** Writes all of `bytes` at the file's current position (writeSync may write less than asked). */
export function writeAllSync(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
}
