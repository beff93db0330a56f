#!/usr/bin/env bun
/**
 * Builds standalone executables (`bun build --compile`) for every release platform from one
 * Linux machine, then the release files: one archive per platform, `SHA256SUMS` and the
 * Homebrew formula. See docs/binaries.md.
 *
 *   bun scripts/build-binaries.ts [--target linux-x64[,darwin-arm64...]]... [--base-url URL]
 *                                 [--homepage URL] [--no-archive] [--no-bytecode] [--no-minify]
 *
 * Each executable embeds its platform's DuckDB binding through scripts/duckdb-embed-plugin.ts.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { installedBindingsVersion, prepareBinding } from "./duckdb-embed/bindings.ts";
import { duckdbEmbedPlugin } from "./duckdb-embed-plugin.ts";
import { type ArchiveEntry, sha256File, writeTarGz, writeZip } from "./release/archive.ts";
import {
  defaultHomepage,
  FORMULA_PLATFORMS,
  type FormulaPlatform,
  formatSha256Sums,
  type ReleaseAsset,
  renderFormula,
} from "./release/formula.ts";
import { archiveName, executableName, type ReleaseTarget, selectTargets } from "./release/targets.ts";

const ROOT = resolve(import.meta.dir, "..");
const DIST = join(ROOT, "dist");
const BINDINGS_CACHE = join(ROOT, ".cache", "duckdb-bindings");
const TEMPLATE = join(ROOT, "packaging", "homebrew", "ai-observer.rb.template");

const USAGE = `usage: bun scripts/build-binaries.ts [options]
  --target <os-arch>   build only these (repeatable or comma list): linux-x64, linux-arm64,
                       darwin-x64, darwin-arm64, windows-x64; default all
  --base-url <url>     release download URL base for the Homebrew formula
                       (e.g. https://github.com/OWNER/ai-observer/releases/download/v0.1.0)
  --homepage <url>     formula homepage (default: the repository of a GitHub --base-url)
  --no-archive         only the executables: no archives, SHA256SUMS or formula
  --no-bytecode        do not precompile to bytecode (slower start-up)
  --no-minify          do not minify
`;

function gitCommit(): string {
  const result = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const commit = result.exitCode === 0 ? result.stdout.toString().trim() : "";
  return commit || "unknown";
}

/** UTC ISO date-time without milliseconds; `SOURCE_DATE_EPOCH` makes builds reproducible. */
function buildDate(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const date = epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
  date.setUTCMilliseconds(0);
  return date;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

interface BuildOptions {
  bytecode: boolean;
  minify: boolean;
  commit: string;
  date: Date;
  bindingsVersion: string;
}

async function compile(target: ReleaseTarget, options: BuildOptions): Promise<string> {
  const binding = prepareBinding(target, options.bindingsVersion, BINDINGS_CACHE);
  console.log(`  DuckDB ${options.bindingsVersion}: duckdb.node ${mib(binding.addonSize)}, ${target.libName} ${mib(binding.librarySize)} (${binding.libraryNote})`);
  const outfile = join(DIST, executableName(target));
  const result = await Bun.build({
    // src/bin.ts always runs the CLI (src/cli.ts relies on import.meta.main). The workers are entry points of their
    // own so that the executable can start them on another core.
    entrypoints: [join(ROOT, "src", "bin.ts"), join(ROOT, "src", "staging", "parse-worker.ts"), join(ROOT, "src", "staging", "scan-worker.ts"), join(ROOT, "src", "staging", "table-worker.ts")],
    compile: {
      target: target.bunTarget,
      outfile,
      // A CLI run from any folder must not pick up that folder's .env or bunfig.toml.
      autoloadDotenv: false,
      autoloadBunfig: false,
    },
    // ES modules: the entry point uses top-level await, and --bytecode needs `compile` for ESM.
    format: "esm",
    // The code of each command (and of the workers) in chunks of its own, loaded when it runs: with one bundle, the
    // bytecode of every command was loaded at every start (docs/binaries.md, "Settings in the build").
    splitting: true,
    bytecode: options.bytecode,
    // Whitespace and syntax only: identifiers keep their names for readable DEBUG stack traces.
    minify: options.minify ? { whitespace: true, syntax: true, identifiers: false } : false,
    define: {
      AI_OBSERVER_GIT_COMMIT: JSON.stringify(options.commit),
      AI_OBSERVER_BUILD_DATE: JSON.stringify(options.date.toISOString().replace(".000Z", "Z")),
    },
    plugins: [duckdbEmbedPlugin(target, binding)],
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error(`build failed for ${target.id}`);
  }
  if (!existsSync(outfile)) throw new Error(`build for ${target.id} wrote no ${outfile}`);
  return outfile;
}

async function archive(target: ReleaseTarget, executable: string, version: string, date: Date): Promise<string> {
  const staging = join(DIST, ".staging", target.id);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const exeName = target.os === "windows" ? "ai-observer.exe" : "ai-observer";
  const entries: ArchiveEntry[] = [{ name: exeName, executable: true }];
  copyFileSync(executable, join(staging, exeName));
  chmodSync(join(staging, exeName), 0o755);
  for (const doc of ["README.md", "LICENSE"]) {
    const source = join(ROOT, doc);
    if (!existsSync(source)) {
      console.warn(`  WARNING: ${doc} is missing; the archive goes out without it`);
      continue;
    }
    copyFileSync(source, join(staging, doc));
    chmodSync(join(staging, doc), 0o644);
    entries.push({ name: doc, executable: false });
  }
  const outfile = join(DIST, archiveName(target, version));
  if (target.archive === "zip") await writeZip(outfile, staging, entries, date);
  else await writeTarGz(outfile, staging, entries, date);
  rmSync(staging, { recursive: true, force: true });
  return outfile;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      target: { type: "string", multiple: true, default: [] },
      "base-url": { type: "string" },
      homepage: { type: "string" },
      "no-archive": { type: "boolean", default: false },
      "no-bytecode": { type: "boolean", default: false },
      "no-minify": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }

  const targets = selectTargets(values.target);
  const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  const options: BuildOptions = {
    bytecode: !values["no-bytecode"],
    minify: !values["no-minify"],
    commit: gitCommit(),
    date: buildDate(),
    bindingsVersion: installedBindingsVersion(ROOT),
  };
  console.log(
    `ai-observer ${version} (commit ${options.commit}, ${options.date.toISOString()}); bytecode ${options.bytecode}, minify ${options.minify}`,
  );

  // Only what this run builds ends up in dist/, so SHA256SUMS and the formula cannot mix builds.
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });

  const assets = new Map<string, ReleaseAsset>();
  const started = performance.now();
  for (const target of targets) {
    const t0 = performance.now();
    console.log(`${target.id} (${target.bunTarget})`);
    const executable = await compile(target, options);
    console.log(`  ${relative(ROOT, executable)}: ${mib(statSync(executable).size)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (values["no-archive"]) continue;
    const t1 = performance.now();
    const archived = await archive(target, executable, version, options.date);
    const asset = { name: archiveName(target, version), sha256: await sha256File(archived) };
    assets.set(target.id, asset);
    console.log(`  ${relative(ROOT, archived)}: ${mib(statSync(archived).size)} in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  }
  rmSync(join(DIST, ".staging"), { recursive: true, force: true });

  if (!values["no-archive"]) {
    writeFileSync(join(DIST, "SHA256SUMS"), formatSha256Sums([...assets.values()]));
    console.log("dist/SHA256SUMS");
    const missing = FORMULA_PLATFORMS.filter((platform) => !assets.has(platform));
    if (missing.length > 0) {
      console.log(`no Homebrew formula: it needs the ${missing.join(", ")} archive(s) too`);
    } else {
      const baseUrl = values["base-url"] ?? `https://github.com/OWNER/ai-observer/releases/download/v${version}`;
      if (!values["base-url"]) console.warn(`WARNING: no --base-url; the formula points at the placeholder ${baseUrl}`);
      const formula = renderFormula(readFileSync(TEMPLATE, "utf8"), {
        version,
        homepage: values.homepage ?? defaultHomepage(baseUrl),
        baseUrl,
        assets: Object.fromEntries(FORMULA_PLATFORMS.map((platform) => [platform, assets.get(platform)])) as Record<
          FormulaPlatform,
          ReleaseAsset
        >,
      });
      writeFileSync(join(DIST, "ai-observer.rb"), formula);
      console.log("dist/ai-observer.rb");
    }
  }
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

try {
  await main();
} catch (error) {
  console.error(`build-binaries: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
