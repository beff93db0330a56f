export const ExitCode = {
  Ok: 0,
  Failure: 1,
  Usage: 2,
  NeedsConfirmation: 3,
  Interrupted: 130,
  Terminated: 143,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error meant for the user: printed as one line, never with a stack trace. */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = ExitCode.Failure) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
    this.name = "UsageError";
  }
}

export class ConfirmationNeededError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.NeedsConfirmation);
    this.name = "ConfirmationNeededError";
  }
}

class InterruptedError extends CliError {
  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`, signal === "SIGTERM" ? ExitCode.Terminated : ExitCode.Interrupted);
    this.name = "InterruptedError";
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** DuckDB and Node put details on later lines; users get the first one. */
export function firstLine(text: string): string {
  return text.split("\n").map((line) => line.trim()).find((line) => line.length > 0) ?? text;
}
