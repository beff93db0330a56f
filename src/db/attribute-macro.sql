-- {{name}}(attributes): the top-level string {{key}} of a row's JSON attributes, exactly as
-- json_extract_string(attributes, '$."{{key}}"') reads it, without parsing a large document whole. DuckDB's JSON
-- functions parse each document of a 2,048-row vector into memory held for the vector: a conversation's text in the
-- logs of an export with transcripts (rows of up to 369 KB) ran one thread out of 128 MB on that alone, two out of 256
-- MB (docs/performance.md, "Rows that may be large"). A document over {{large_bytes}} bytes is read by pattern instead:
-- - when it opens with string pairs without escapes up to the key, and the key's value is a string without escapes:
--   that value (those pairs are the document's first top-level members, parsed as JSON parses them; the first
--   occurrence of the key wins, as with json_extract_string);
-- - when the key's name is nowhere in it, neither plainly nor with a \u escape of one of its characters: NULL;
-- - otherwise (whitespace, escapes, other values before the key): parsed, as a small document is.
CREATE OR REPLACE TEMP MACRO {{name}}(attributes) AS
CASE
  WHEN strlen(attributes) <= {{large_bytes}} THEN json_extract_string(attributes, '$."{{key}}"')
  WHEN regexp_matches(attributes, '^\{("[^"\\]*":"[^"\\]*",)*?"{{key_pattern}}":"[^"\\]*"')
    THEN regexp_extract(attributes, '^\{("[^"\\]*":"[^"\\]*",)*?"{{key_pattern}}":"([^"\\]*)"', 2)
  WHEN NOT contains(attributes, '{{key}}') AND NOT regexp_matches(attributes, '\\u00({{escapes}})') THEN NULL
  ELSE json_extract_string(attributes, '$."{{key}}"')
END
