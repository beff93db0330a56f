/**
 * Worker entry point of the parse pool (`load-sessions.ts`): parses one file per message, in this thread, and
 * sends the result back as JSON text (one string crosses the thread boundary far faster than the structured clone
 * of tens of thousands of row objects). A compiled executable must list this file as a build entry point.
 */
import type { ToolId } from "../sources.ts";
import { parseOne } from "./parse-one.ts";
import { setContentHashing } from "./shared/byte-source.ts";
import { sourceFor } from "./registry.ts";
import type { DiscoveredFile } from "./types.ts";

declare var self: Worker;

export interface ParseRequest {
  id: number;
  tool: ToolId;
  file: DiscoveredFile;
  hash: boolean;
}

export type ParseReply = { id: number; json: string; ms: number } | { id: number; failure: string } | { id: number; crashed: string };

self.onmessage = async (event: MessageEvent<ParseRequest>) => {
  const { id, tool, file, hash } = event.data;
  let reply: ParseReply;
  try {
    setContentHashing(hash);
    const outcome = await parseOne(sourceFor(tool), file);
    reply = "failure" in outcome ? { id, failure: outcome.failure } : { id, json: JSON.stringify(outcome.parsed), ms: outcome.ms };
  } catch (error) {
    reply = { id, crashed: String(error) };
  }
  self.postMessage(reply);
};
