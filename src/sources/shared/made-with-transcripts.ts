/**
 * Events a parse makes only with transcripts (ParseContext.transcripts): the conversation's rows (`<tool>:transcript:…`,
 * Codex `codex:<session>:transcript:…`) and the activity metrics reconstructed from it (`claude:activity:…`).
 */
export function madeWithTranscripts(key: string): boolean {
  return key.includes(":transcript:") || key.startsWith("claude:activity:");
}
