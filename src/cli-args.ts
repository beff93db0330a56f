import { UsageError } from "./shared/errors.ts";

/**
 * cac (through mri) turns option values that look like numbers into numbers, so a folder
 * named `007` would arrive as `7`. For string options we take the raw text from argv:
 * the last `--name value` or `--name=value` before a `--`.
 */
export function rawStringOption(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === "--") break;
    if (arg === `--${name}`) {
      const next = argv[index + 1];
      if (next !== undefined && !next.startsWith("-")) {
        value = next;
        index++;
      } else {
        value = "";
      }
    } else if (arg.startsWith(`--${name}=`)) {
      value = arg.slice(name.length + 3);
    }
  }
  return value;
}

/**
 * A string option followed by a word that starts with "-" (`--from -1d`, `--db --yes`) has no value: cac would
 * report the word as an unknown option, or take the option as empty. Such a value is written `--from=-1d`.
 */
export function checkStringOptionValues(argv: readonly string[], names: readonly string[]): void {
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === "--") return;
    const name = names.find((candidate) => arg === `--${candidate}`);
    const next = argv[index + 1];
    if (name === undefined || next === undefined || !next.startsWith("-") || next === "-") continue;
    throw new UsageError(`--${name} needs a value, and ${next} looks like an option; a value that starts with "-" is written --${name}=${next}`);
  }
}

export function restoreStringOptions<T extends Record<string, unknown>>(argv: readonly string[], options: T, names: readonly string[]): T {
  const restored: Record<string, unknown> = { ...options };
  for (const name of names) {
    const camel = name.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    if (restored[camel] !== undefined) restored[camel] = rawStringOption(argv, name);
  }
  return restored as T;
}

/** The long and short names (`--output`, `-v`) an option's raw name (`-v, --version`, `--output <dir>`) declares. */
function declaredNames(rawName: string): string[] {
  return rawName.split(",").map((part) => (part.trim().split(/\s/)[0] ?? "").replace(/[<[].*$/, ""));
}

/**
 * The command line as cac reads it, checked first against `declared` (each option's raw name; the matched command's
 * and the global ones): a long option may be written with one dash, as Go's `flag` package (and so the Go AI
 * Observer) accepts (`-output DIR`, `-from=7d`); an option no command declares is reported as it was typed (cac would
 * report `--pricing-mode` as `--pricingMode`). Words after `--` are left alone.
 */
export function normalizeOptions(args: readonly string[], declared: readonly string[], command: string): string[] {
  const known = new Set(declared.flatMap(declaredNames));
  const out: string[] = [];
  let index = 0;
  for (; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      out.push(arg);
      continue;
    }
    const [name = "", ...value] = arg.split("=");
    const long = /^-[^-]./.test(name) ? `-${name}` : name;
    if (!known.has(long)) {
      const help = command === "" ? "ai-observer --help" : `ai-observer ${command} --help`;
      throw new UsageError(`unknown option: ${name} (see ${help})`);
    }
    out.push(value.length > 0 ? `${long}=${value.join("=")}` : long);
  }
  return [...out, ...args.slice(index)];
}
