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

export function restoreStringOptions<T extends Record<string, unknown>>(argv: readonly string[], options: T, names: readonly string[]): T {
  const restored: Record<string, unknown> = { ...options };
  for (const name of names) {
    const camel = name.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    if (restored[camel] !== undefined) restored[camel] = rawStringOption(argv, name);
  }
  return restored as T;
}
