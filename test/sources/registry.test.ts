import { describe, expect, test } from "bun:test";
import { SESSION_SOURCES, sourceFor } from "../../src/sources/registry.ts";
import { SERVICE_NAMES, TOOL_IDS } from "../../src/shared/sources.ts";

describe("registry", () => {
  test("one source per tool, in the Go `all` order, with the Go service names", () => {
    expect(SESSION_SOURCES.map((source) => source.tool)).toEqual([...TOOL_IDS]);
    for (const source of SESSION_SOURCES) expect(source.serviceName).toBe(SERVICE_NAMES[source.tool]);
  });

  test.each([...TOOL_IDS])("sourceFor(%s)", (tool) => {
    expect(sourceFor(tool).tool).toBe(tool);
  });
});
