/** A text held as its UTF-8 bytes (a large string of a session line that never became a JS string; see large-strings.ts). */
export class Utf8Text {
  constructor(readonly bytes: Buffer) {}

  /** In bytes: what the rows test is whether it is empty. */
  get length(): number {
    return this.bytes.length;
  }

  toString(): string {
    return this.bytes.toString("utf8");
  }
}

/** A row's text: a string, or the bytes of one. */
export type Text = string | Utf8Text;
