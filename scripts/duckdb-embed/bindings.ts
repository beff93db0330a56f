/**
 * Gets DuckDB's native binding for any target platform without touching package.json:
 * `npm pack @duckdb/node-bindings-<os>-<arch>@<installed version>` into
 * `.cache/duckdb-bindings/<version>/`, extracted once (the tarball is then deleted). On macOS targets the universal
 * `libduckdb.dylib` (x86_64 + arm64, 117 MB) is thinned to the target's architecture when
 * `llvm-lipo` is available (each slice keeps its own code signature).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReleaseTarget } from "../release/targets.ts";

export interface PreparedBinding {
  addonPath: string;
  libraryPath: string;
  /** What was done to the library, for the build log. */
  libraryNote: string;
  /** `duckdb-<version>-<target>-<hash of both files>`: the run-time cache folder name. */
  cacheKey: string;
  addonSize: number;
  librarySize: number;
  /** The library compressed with zstd, which the executable embeds (its first run writes the library out). */
  libraryZstdPath: string;
}

/**
 * zstd level of the embedded library: 67 MB for Linux x64 become 19 MB at 9 (1.3 s here), 17 MB at 19 (40 s). A first
 * run reads the compressed bytes (pages of the executable, resident while mapped: 70 MB of them uncompressed, which
 * kept a first run's RSS ~50 MB higher to its end) and decompresses them once (that run 0.25 s longer on a slow VM).
 */
const LIBRARY_ZSTD_LEVEL = 9;

/** `path` compressed with zstd beside it (`<path>.<level>.zst`), made once. */
function compressedCopy(path: string): string {
  const zstdPath = `${path}.${LIBRARY_ZSTD_LEVEL}.zst`;
  if (!existsSync(zstdPath)) {
    writeFileSync(`${zstdPath}.partial`, Bun.zstdCompressSync(readFileSync(path), { level: LIBRARY_ZSTD_LEVEL }));
    renameSync(`${zstdPath}.partial`, zstdPath);
  }
  return zstdPath;
}

export function installedBindingsVersion(root: string): string {
  const manifest = JSON.parse(readFileSync(join(root, "node_modules/@duckdb/node-bindings/package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

function run(command: string[], cwd?: string): string {
  const result = Bun.spawnSync(command, { cwd, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) {
    throw new Error(`${command.join(" ")} failed (${result.exitCode}): ${result.stderr.toString().trim()}`);
  }
  return result.stdout.toString();
}

/** First of the `llvm-lipo` names Debian and Homebrew use, if any is on PATH. */
export function findLipo(): string | undefined {
  for (const name of ["llvm-lipo", "lipo", ...[19, 18, 17, 16, 15, 14].map((v) => `llvm-lipo-${v}`)]) {
    if (Bun.which(name)) return name;
  }
  return undefined;
}

function fetchPackage(target: ReleaseTarget, version: string, versionDir: string): string {
  const packageDir = join(versionDir, target.bindingsSuffix);
  if (existsSync(join(packageDir, "duckdb.node")) && existsSync(join(packageDir, target.libName))) return packageDir;
  const tarballDir = join(versionDir, "tarballs");
  mkdirSync(tarballDir, { recursive: true });
  const spec = `@duckdb/node-bindings-${target.bindingsSuffix}@${version}`;
  const tarball = join(tarballDir, `duckdb-node-bindings-${target.bindingsSuffix}-${version}.tgz`);
  if (!existsSync(tarball)) {
    console.log(`  npm pack ${spec}`);
    run(["npm", "pack", spec, "--pack-destination", tarballDir, "--silent"]);
    if (!existsSync(tarball)) throw new Error(`npm pack ${spec} did not write ${tarball}`);
  }
  const partial = `${packageDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  run(["tar", "-xzf", tarball, "-C", partial, "--strip-components=1"]);
  rmSync(packageDir, { recursive: true, force: true });
  renameSync(partial, packageDir);
  rmSync(tarball);
  return packageDir;
}

function hashFiles(paths: string[]): string {
  const hash = createHash("sha256");
  for (const path of paths) hash.update(readFileSync(path));
  return hash.digest("hex").slice(0, 12);
}

export function prepareBinding(target: ReleaseTarget, version: string, cacheDir: string): PreparedBinding {
  const versionDir = join(cacheDir, version);
  const packageDir = fetchPackage(target, version, versionDir);
  const addonPath = join(packageDir, "duckdb.node");
  let libraryPath = join(packageDir, target.libName);
  let libraryNote = "as shipped";

  if (target.machoArch) {
    const thinDir = join(versionDir, `${target.bindingsSuffix}-thin`);
    const thinPath = join(thinDir, target.libName);
    const lipo = findLipo();
    if (existsSync(thinPath)) {
      libraryPath = thinPath;
      libraryNote = `thinned to ${target.machoArch}`;
    } else if (lipo) {
      mkdirSync(thinDir, { recursive: true });
      run([lipo, "-thin", target.machoArch, libraryPath, "-output", `${thinPath}.partial`]);
      renameSync(`${thinPath}.partial`, thinPath);
      libraryPath = thinPath;
      libraryNote = `thinned to ${target.machoArch} with ${lipo}`;
    } else {
      libraryNote = "universal (no llvm-lipo on PATH: `apt-get install llvm` makes it ~60 MB smaller)";
    }
  }

  const libraryZstdPath = compressedCopy(libraryPath);
  return {
    addonPath,
    libraryPath,
    libraryNote: `${libraryNote}, embedded zstd-compressed (${(statSync(libraryZstdPath).size / 1048576).toFixed(1)} MiB)`,
    cacheKey: `duckdb-${version}-${target.id}-${hashFiles([addonPath, libraryPath])}`,
    addonSize: statSync(addonPath).size,
    librarySize: statSync(libraryPath).size,
    libraryZstdPath,
  };
}

