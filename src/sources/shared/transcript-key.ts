/** Transcript events' keys (`<tool>:transcript:…`, Codex `codex:<session>:transcript:…`) tell them from usage events. */
export function isTranscriptKey(key: string): boolean {
  return key.includes(":transcript:");
}
