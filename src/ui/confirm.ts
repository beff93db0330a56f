import { ConfirmationNeededError } from "../shared/errors.ts";
import { isInteractive, type Output } from "./terminal.ts";

export interface ConfirmRequest {
  /** What is being confirmed, for the error: "export", "delete". */
  action: string;
  json: boolean;
  /** Printed above the prompt, only when there is one. */
  preamble?: string;
  io?: Output;
}

/**
 * Asks on a terminal only: without one, a prompt would hang a cron job or (under Bun)
 * end the process mid-action, so we refuse with exit 3 and name `--yes`.
 */
export async function confirmOnTerminal(request: ConfirmRequest): Promise<boolean> {
  if (!isInteractive(request.json)) {
    const why = request.json ? "--json runs without prompts" : "no terminal to ask on";
    throw new ConfirmationNeededError(`confirmation needed to ${request.action} (${why}); rerun with --yes`);
  }
  if (request.preamble) request.io?.out(request.preamble);
  // Loaded only to ask: it takes ~17 ms, which every run without a prompt (cron, --yes, --json) would pay.
  const { confirm, isCancel } = await import("@clack/prompts");
  const answer = await confirm({ message: "Continue?", initialValue: false });
  return !isCancel(answer) && answer === true;
}
