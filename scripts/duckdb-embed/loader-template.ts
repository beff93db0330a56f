/**
 * Source of the virtual module that replaces `@duckdb/node-bindings` in a compiled executable.
 * It embeds the target's `duckdb.node` and DuckDB library as file assets and hands them to
 * `loadEmbeddedBinding` (./loader.ts), which runs when DuckDB is first imported.
 */
import { fileURLToPath } from "node:url";

export interface LoaderModuleSpec {
  /** Absolute paths at build time. */
  addonPath: string;
  addonSize: number;
  libraryPath: string;
  /** `libraryPath` holds the library compressed with zstd; `librarySize` is its size decompressed. */
  libraryZstd?: boolean;
  libraryName: string;
  librarySize: number;
  cacheKey: string;
}

export const LOADER_PATH = fileURLToPath(new URL("./loader.ts", import.meta.url));

export function renderLoaderModule(spec: LoaderModuleSpec, loaderPath: string = LOADER_PATH): string {
  const s = JSON.stringify;
  // `export default` of an ES module that the bindings' CommonJS consumers `require`: Bun's
  // interop marks it `__esModule`, so their `__importDefault(require(...)).default` is the binding.
  return `import addonFile from ${s(spec.addonPath)} with { type: "file" };
import libraryFile from ${s(spec.libraryPath)} with { type: "file" };
import { loadEmbeddedBinding } from ${s(loaderPath)};

const binding = loadEmbeddedBinding({
  cacheKey: ${s(spec.cacheKey)},
  library: { path: libraryFile, name: ${s(spec.libraryName)}, size: ${spec.librarySize}${spec.libraryZstd ? ", zstd: true" : ""} },
  addon: { path: addonFile, name: "duckdb.node", size: ${spec.addonSize} },
});
export default binding;
`;
}
