-- Rows of events that a more complete copy replaces: found by their `import.key` attribute,
-- narrowed by the stored timestamp. {{table}} and {{attributes}} are our own names.
DELETE FROM {{table}}
WHERE Timestamp IN (SELECT ts::TIMESTAMP FROM import_replaced)
  AND (Timestamp, json_extract_string({{attributes}}, '$."import.key"')) IN (SELECT ts::TIMESTAMP, event_key FROM import_replaced)
