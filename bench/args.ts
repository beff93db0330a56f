/** `--name value` from the command line, else `fallback`. */
export function flagValue(flag: string, fallback: string, argv: readonly string[] = process.argv.slice(2)): string {
  const index = argv.indexOf(flag);
  return index >= 0 ? (argv[index + 1] ?? fallback) : fallback;
}
