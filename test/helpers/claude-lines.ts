/** A Claude Code assistant line with usage, as the CLI writes it (one per content block). */
export function claudeLine(n: number, options: { output?: number; session?: string; day?: string; messageId?: string } = {}): string {
  const second = String(n % 60).padStart(2, "0");
  const minute = String(Math.floor(n / 60) % 60).padStart(2, "0");
  const hour = String(Math.floor(n / 3600) % 24).padStart(2, "0");
  return JSON.stringify({
    parentUuid: null,
    type: "assistant",
    timestamp: `${options.day ?? "2025-03-10"}T${hour}:${minute}:${second}.123456Z`,
    sessionId: options.session ?? "11111111-2222-4333-8444-555555555555",
    requestId: `req_${n}`,
    uuid: `uuid-${n}`,
    message: {
      id: options.messageId ?? `msg_${n}`,
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [{ type: "text", text: `answer ${n}` }],
      usage: { input_tokens: 10 + (n % 7), output_tokens: options.output ?? 20 + (n % 11), cache_creation_input_tokens: n % 3, cache_read_input_tokens: 100 },
    },
  });
}

export function claudeLines(count: number, start = 0): string {
  let text = "";
  for (let n = start; n < start + count; n++) text += `${claudeLine(n)}\n`;
  return text;
}
