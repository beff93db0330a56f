#!/usr/bin/env bun
/**
 * The entry point of the executables and of `bun link`: runs the CLI unconditionally. `src/cli.ts` runs only when
 * `import.meta.main` says it is the entry, which is false in an executable that `Bun.build()` compiles for Windows
 * (oven-sh/bun#30084), where the CLI would print nothing and exit 0.
 */
import { main } from "./cli.ts";

await main();
