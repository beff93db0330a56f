/**
 * Bun.build plugin for compiled executables: replaces `@duckdb/node-bindings` (which `require`s
 * all eight platform packages by static path) with a virtual module that embeds only the target's
 * `duckdb.node` and DuckDB library and loads them through `scripts/duckdb-embed/loader.ts`.
 * Used only by `scripts/build-binaries.ts`; `bun run` and `bun test` never see it.
 */
import type { BunPlugin } from "bun";
import type { PreparedBinding } from "./duckdb-embed/bindings.ts";
import { renderLoaderModule } from "./duckdb-embed/loader-template.ts";
import type { ReleaseTarget } from "./release/targets.ts";

const NAMESPACE = "ai-observer-duckdb-embed";

export function duckdbEmbedPlugin(target: ReleaseTarget, binding: PreparedBinding): BunPlugin {
  const source = renderLoaderModule({
    addonPath: binding.addonPath,
    addonSize: binding.addonSize,
    libraryPath: binding.libraryZstdPath,
    libraryZstd: true,
    libraryName: target.libName,
    librarySize: binding.librarySize,
    cacheKey: binding.cacheKey,
  });
  return {
    name: "duckdb-embed",
    setup(build) {
      build.onResolve({ filter: /^@duckdb\/node-bindings$/ }, () => ({ path: target.id, namespace: NAMESPACE }));
      // Any other import of the platform packages would embed a second, wrong-platform library.
      build.onResolve({ filter: /^@duckdb\/node-bindings-/ }, (args) => {
        throw new Error(`unexpected import of ${args.path} from ${args.importer}: extend the duckdb-embed plugin`);
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, () => ({ contents: source, loader: "js" }));
    },
  };
}
