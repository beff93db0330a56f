import { locateDatabase } from "../db/locate.ts";
import { ExitCode } from "../shared/errors.ts";
import { formatSeconds } from "../shared/format.ts";
import { readRunSettings } from "../shared/run-settings.ts";
import { renderJson } from "../render/json.ts";
import { buildUpgradeJson } from "../render/upgrade-json.ts";
import { renderUpgradePreview, renderUpgradeResult } from "../render/upgrade-text.ts";
import { runUpgrade, type UpgradeHooks } from "../upgrade/run-upgrade.ts";
import { confirmOnTerminal } from "../ui/confirm.ts";
import { type Output, processOutput } from "../ui/terminal.ts";

export interface UpgradeDatabaseFlags {
  db?: string;
  dryRun?: boolean;
  threads?: string | boolean;
  verbose?: boolean;
  yes?: boolean;
  json?: boolean;
}

const STEP_WORDS: Record<string, string> = { check: "checking the copy against the database", indexes: "making the indexes" };

export async function upgradeDatabaseCommand(flags: UpgradeDatabaseFlags, io: Output = processOutput): Promise<ExitCode> {
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
  const result = await runUpgrade(
    {
      location: locateDatabase(flags.db),
      dryRun: flags.dryRun === true,
      yes: flags.yes === true,
      settings: readRunSettings(flags.threads),
    },
    hooks,
  );
  io.out(json ? renderJson(buildUpgradeJson(result)) : renderUpgradeResult(result));
  return ExitCode.Ok;
}
