import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { attributeMacroSql, createAttributeMacros } from "../src/db/attribute-macros.ts";
import { openMemoryDatabase } from "../src/db/open.ts";
import { removeTree } from "../src/shared/remove-tree.ts";
import { tempDir } from "./helpers/temp.ts";

/** Past the size from which a document is read by pattern (attribute-macros.ts). */
const PAD = "p".repeat(5000);

/** Documents of every shape the macros tell apart, each small and large (padded at its end or inside a value). */
const SHAPES = [
  `{"a":"x","import.key":"K","import_source":"local_jsonl","event.name":"transcript.message"}`,
  `{"a":"line\\nbreak","import.key":"K2"}`,
  `{"n":{"import.key":"N"},"import_source":"S"}`,
  `{"x\\"import.key":"V","x\\"import_source":"W"}`,
  `{"a":"\\u003cdiv\\u003e","b":"c"}`,
  `{"import\\u002ekey":"E","import\\u005fsource":"F","event\\u002ename":"G"}`,
  `{"import.key":"a\\"b","import_source":"c\\\\d"}`,
  `{"import.key":"first","import.key":"second"}`,
  `{"import.key":5,"import_source":true,"event.name":null}`,
  `{ "import.key" : "W", "import_source" : "X" }`,
  `{"import.key":"","import_source":""}`,
  `{"a":"ü中","import.key":"ü中 é","event.name":"ü"}`,
  `{"a":["import.key","x"],"import.key":"after an array"}`,
  `["import.key","x"]`,
  `"import.key"`,
  `{}`,
];

const large = (doc: string) => (doc.startsWith("{") && doc !== "{}" ? `${doc.slice(0, -1)},"pad":"${PAD}"}` : doc.replace(/"$/, `${PAD}"`));
const largeInside = (doc: string) => doc.replace(/^\{"a":"/, `{"a":"${PAD}`);

describe("attribute macros", () => {
  test("read each attribute of every document exactly as json_extract_string does, small or large", async () => {
    const db = await openMemoryDatabase();
    try {
      await createAttributeMacros(db.connection);
      const docs = [...SHAPES, ...SHAPES.map(large), ...SHAPES.map(largeInside), null];
      expect(docs.filter((doc) => doc !== null && doc.length > 4096).length).toBeGreaterThan(SHAPES.length);
      for (const [macro, key] of [["import_key", "import.key"], ["import_source", "import_source"], ["event_name", "event.name"]]) {
        for (const doc of docs) {
          const reader = await db.connection.runAndReadAll(`SELECT ${macro}($doc::VARCHAR), json_extract_string($doc::VARCHAR, '$."${key}"')`, { doc });
          const [read, parsed] = reader.getRows()[0]!;
          expect({ doc: doc?.slice(0, 60), key, read }).toEqual({ doc: doc?.slice(0, 60), key, read: parsed });
        }
      }
    } finally {
      db.close();
    }
  });

  test("read large documents within a memory limit that parsing them runs out of", async () => {
    const dir = tempDir("attribute-macros-");
    const db = await openMemoryDatabase();
    try {
      const file = join(dir, "large.parquet");
      await db.connection.run(
        `COPY (SELECT '{"event.name":"transcript.message","import.key":"k' || i || '","text":"' || repeat(chr(97 + (i % 26)::INTEGER), 12000) || '"}' AS doc FROM range(4096) t(i)) TO '${file}' (ROW_GROUP_SIZE 2048)`,
      );
      await db.connection.run(attributeMacroSql("import_key", "import.key"));
      await db.connection.run("SET threads = 1");
      await db.connection.run("SET memory_limit = '96MB'");
      const read = await db.connection.runAndReadAll(`SELECT count(DISTINCT import_key(doc))::INTEGER FROM '${file}'`);
      expect(read.getRows()).toEqual([[4096]]);
      expect(db.connection.run(`SELECT count(json_extract_string(doc, '$."import.key"')) FROM '${file}'`)).rejects.toThrow(/Out of Memory/);
    } finally {
      db.close();
      removeTree(dir);
    }
  });

  test("refuse a key that a JSON string or SQL literal would spell otherwise", () => {
    expect(() => attributeMacroSql("bad", "it's")).toThrow("unsupported attribute key");
    expect(() => attributeMacroSql("bad", 'a"b')).toThrow("unsupported attribute key");
    expect(attributeMacroSql("import_key", "import.key")).toContain("import\\.key");
  });
});
