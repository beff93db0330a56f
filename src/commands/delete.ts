import { parseRangeFlags } from "../shared/dates.ts";
import { parseScope } from "../delete/scope.ts";
import { parseService } from "../shared/service-flag.ts";
import { type DeleteHooks, runDelete } from "../delete/run-delete.ts";
import { databaseRun, type DatabaseRunFlags } from "./database-run.ts";
import { ExitCode, UsageError } from "../shared/errors.ts";
import { buildDeleteJson } from "../render/delete-json.ts";
import { renderDeletePreview, renderDeleteResult } from "../render/delete-text.ts";
import { renderJson } from "../render/json.ts";
import { confirmOnTerminal } from "../ui/confirm.ts";
import { type Output, processOutput } from "../ui/terminal.ts";

export interface DeleteFlags extends DatabaseRunFlags {
  from?: string;
  to?: string;
  month?: string;
  service?: string;
}

export async function deleteCommand(scopeArg: string | undefined, flags: DeleteFlags, io: Output = processOutput): Promise<ExitCode> {
  const scope = parseScope(scopeArg);
  const range = parseRangeFlags(flags);
  if (range.from === undefined || range.to === undefined) {
    throw new UsageError("--from and --to (or --month) are required for delete");
  }
  const service = parseService(flags.service);
  const json = flags.json === true;
  const verbose = flags.verbose === true && !json;

  const hooks: DeleteHooks = json
    ? { confirm: () => confirmOnTerminal({ action: "delete", json }) }
    : {
        onPreview: (preview) => io.out(renderDeletePreview(preview, verbose)),
        confirm: () => confirmOnTerminal({ action: "delete", json, io, preamble: "\nThis action cannot be undone.\n" }),
      };

  const result = await runDelete(
    {
      scope,
      range: { from: range.from, to: range.to },
      serviceName: service.serviceName,
      serviceMustExist: !service.known,
      ...databaseRun(flags),
    },
    hooks,
  );
  io.out(json ? renderJson(buildDeleteJson(result)) : renderDeleteResult(result));
  return ExitCode.Ok;
}
