import { databaseRun, type DatabaseRunFlags } from "./database-run.ts";
import { ExitCode } from "../shared/errors.ts";
import { formatSeconds } from "../shared/format.ts";
import { renderJson } from "../render/json.ts";
import { buildUpgradeJson } from "../render/upgrade-json.ts";
import { renderUpgradePreview, renderUpgradeResult } from "../render/upgrade-text.ts";
import { runUpgrade, type UpgradeHooks } from "../upgrade/run-upgrade.ts";
import { confirmOnTerminal } from "../ui/confirm.ts";
import { type Output, processOutput } from "../ui/terminal.ts";

const STEP_WORDS: Record<string, string> = { check: "checking the copy against the database", indexes: "making the indexes" };

export async function upgradeDatabaseCommand(flags: DatabaseRunFlags, io: Output = processOutput): Promise<ExitCode> {
  const json = flags.json === true;
  const started = performance.now();
  const elapsed = () => (flags.verbose === true ? ` (${formatSeconds(performance.now() - started)})` : "");
  const hooks: UpgradeHooks = json
    ? { confirm: () => confirmOnTerminal({ action: "upgrade the database", json }) }
    : {
        onPreview: (preview) => io.out(renderUpgradePreview(preview)),
        confirm: () => confirmOnTerminal({ action: "upgrade the database", json, io, preamble: "\n" }),
        onStep: (step) => io.out(`  ${STEP_WORDS[step] ?? `copying ${step}`}${elapsed()}\n`),
      };
  const result = await runUpgrade(databaseRun(flags), hooks);
  io.out(json ? renderJson(buildUpgradeJson(result)) : renderUpgradeResult(result));
  return ExitCode.Ok;
}
