/**
 * The platforms we publish executables for, and what each needs: Bun's compile target, the
 * npm package holding DuckDB's native binding for it, and the name of the library that
 * `duckdb.node` links against (it must be extracted next to it at run time).
 */
export type ReleaseOs = "linux" | "darwin" | "windows";
export type ReleaseArch = "x64" | "arm64";

export interface ReleaseTarget {
  /** `<os>-<arch>`, as accepted by `--target`. */
  id: string;
  os: ReleaseOs;
  arch: ReleaseArch;
  bunTarget: Bun.Build.CompileTarget;
  /** `process.platform` on that OS. */
  nodePlatform: "linux" | "darwin" | "win32";
  /** `@duckdb/node-bindings-<suffix>`. */
  bindingsSuffix: string;
  /** The library `duckdb.node` links against, in the same package. */
  libName: "libduckdb.so" | "libduckdb.dylib" | "duckdb.dll";
  /** Mach-O architecture name, for thinning the universal `libduckdb.dylib`. */
  machoArch?: "x86_64" | "arm64";
  archive: "tar.gz" | "zip";
}

export const TARGETS: readonly ReleaseTarget[] = [
  {
    id: "linux-x64",
    os: "linux",
    arch: "x64",
    bunTarget: "bun-linux-x64",
    nodePlatform: "linux",
    bindingsSuffix: "linux-x64",
    libName: "libduckdb.so",
    archive: "tar.gz",
  },
  {
    id: "linux-arm64",
    os: "linux",
    arch: "arm64",
    bunTarget: "bun-linux-arm64",
    nodePlatform: "linux",
    bindingsSuffix: "linux-arm64",
    libName: "libduckdb.so",
    archive: "tar.gz",
  },
  {
    id: "darwin-x64",
    os: "darwin",
    arch: "x64",
    bunTarget: "bun-darwin-x64",
    nodePlatform: "darwin",
    bindingsSuffix: "darwin-x64",
    libName: "libduckdb.dylib",
    machoArch: "x86_64",
    archive: "tar.gz",
  },
  {
    id: "darwin-arm64",
    os: "darwin",
    arch: "arm64",
    bunTarget: "bun-darwin-arm64",
    nodePlatform: "darwin",
    bindingsSuffix: "darwin-arm64",
    libName: "libduckdb.dylib",
    machoArch: "arm64",
    archive: "tar.gz",
  },
  {
    id: "windows-x64",
    os: "windows",
    arch: "x64",
    bunTarget: "bun-windows-x64",
    nodePlatform: "win32",
    bindingsSuffix: "win32-x64",
    libName: "duckdb.dll",
    archive: "zip",
  },
];

export function executableName(target: ReleaseTarget): string {
  return `ai-observer-${target.id}${target.os === "windows" ? ".exe" : ""}`;
}

export function archiveName(target: ReleaseTarget, version: string): string {
  return `ai-observer-${version}-${target.id}.${target.archive}`;
}

/** Parses repeated and comma-separated `--target` values; none means all targets. */
export function selectTargets(requested: readonly string[]): ReleaseTarget[] {
  const ids = requested.flatMap((value) => value.split(",")).map((value) => value.trim()).filter(Boolean);
  if (ids.length === 0) return [...TARGETS];
  const known = new Map(TARGETS.map((target) => [target.id, target]));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new Error(`unknown target ${unknown.join(", ")} (known: ${TARGETS.map((target) => target.id).join(", ")})`);
  }
  return [...new Set(ids)].map((id) => known.get(id) as ReleaseTarget);
}
