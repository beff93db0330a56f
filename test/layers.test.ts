import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";

// The folders of src/ import one another only downwards (docs/decisions.md, "Layers"): no circle between folders.
const SRC = join(import.meta.dir, "..", "src");
const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

function folderOf(path: string): string {
  const parts = relative(SRC, path).split(sep);
  return parts.length === 1 ? "(top)" : (parts[0] as string);
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const entry of readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const path = join(entry.parentPath, entry.name);
    const from = folderOf(path);
    for (const match of readFileSync(path, "utf8").matchAll(IMPORT)) {
      const target = normalize(join(dirname(path), match[1] as string));
      if (!target.startsWith(SRC + sep)) continue; // package.json
      const to = folderOf(target);
      if (to !== from) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
  }
  return graph;
}

/** A circle through the graph, as the folders on it; null when there is none. */
function findCircle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === "done") return null;
    if (state.get(node) === "open") return [...path.slice(path.indexOf(node)), node];
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const circle = visit(next);
      if (circle) return circle;
    }
    path.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    const circle = visit(node);
    if (circle) return circle;
  }
  return null;
}

test("the folders of src/ import each other without a circle", () => {
  const graph = folderGraph();
  expect(graph.get("commands")?.has("export")).toBe(true); // the graph is read at all
  expect(findCircle(graph)).toBeNull();
});

test("the circle finder finds one", () => {
  const graph = new Map([
    ["a", new Set(["b"])],
    ["b", new Set(["c"])],
    ["c", new Set(["a"])],
  ]);
  expect(findCircle(graph)).toEqual(["a", "b", "c", "a"]);
});

test("shared/ imports no other folder of src/, and nothing imports the CLI's own files at the top", () => {
  const graph = folderGraph();
  expect([...(graph.get("shared") ?? [])]).toEqual([]);
  const intoTop = [...graph.entries()].filter(([, targets]) => targets.has("(top)")).map(([folder]) => folder);
  expect(intoTop).toEqual([]);
});
