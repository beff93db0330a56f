-- Rows of events that a more complete copy replaces: found by their `import.key` attribute,
-- narrowed by the stored timestamp. {{table}} and {{attributes}} are our own names.
DELETE FROM {{table}}
WHERE Timestamp IN (SELECT ts::TIMESTAMP FROM import_replaced)
  AND (Timestamp, import_key({{attributes}})) IN (SELECT ts::TIMESTAMP, event_key FROM import_replaced)
