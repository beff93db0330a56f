import { CliError, ExitCode, errorMessage, firstLine } from "./shared/errors.ts";
import { JSON_SCHEMA_VERSION, renderJson } from "./render/json.ts";
import { colorsFor } from "./ui/terminal.ts";

function classify(error: unknown): { message: string; exitCode: ExitCode } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof Error && error.name === "CACError") {
    return { message: `${error.message} (see --help)`, exitCode: ExitCode.Usage };
  }
  return { message: `unexpected failure: ${firstLine(errorMessage(error))}`, exitCode: ExitCode.Failure };
}

/** Control characters (a newline in a path, say) written as escapes, so that the message stays one line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (char) => JSON.stringify(char).slice(1, -1));
}

/** One line on stderr (plus a JSON object on stdout for `--json`); the stack only with DEBUG set. */
export function reportError(error: unknown, json: boolean): ExitCode {
  const classified = classify(error);
  const { exitCode } = classified;
  const message = oneLine(classified.message);
  const colors = colorsFor(process.stderr);
  process.stderr.write(`${colors.red("error:")} ${message}\n`);
  if (process.env.DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  if (json) {
    process.stdout.write(renderJson({ schemaVersion: JSON_SCHEMA_VERSION, status: "error", exitCode, error: message }));
  }
  return exitCode;
}
