import { confirm, isCancel } from "@clack/prompts";
import { ConfirmationNeededError } from "../errors.ts";
import { isInteractive } from "./terminal.ts";

/**
 * Asks on a terminal only: without one, a prompt would hang a cron job or (under Bun)
 * end the process mid-action, so we refuse with exit 3 and name `--yes`.
 */
export async function confirmOnTerminal(message: string, json: boolean, action: string): Promise<boolean> {
  if (!isInteractive(json)) {
    const why = json ? "--json runs without prompts" : "no terminal to ask on";
    throw new ConfirmationNeededError(`confirmation needed to ${action} (${why}); rerun with --yes`);
  }
  const answer = await confirm({ message, initialValue: false });
  return !isCancel(answer) && answer === true;
}
