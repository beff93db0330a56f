-- The usage events of an archive (rows with our `import.key`) that the database lacks, per table: the rows of an event
-- in the database win over the archive's (a key is looked up in the table itself, not in our bookkeeping, so rows
-- deleted after archiving come back). An event is its service and key, compared as one 128-bit MD5 (md5_number): two
-- events of one archive and database sharing a hash is far less likely than a disk error. The sets are built in
-- buckets of the hash ($bucket of $buckets), each with a bounded share of the events, so that DuckDB's bounded memory
-- holds them whatever the archive's size. The filter is the shared date and service predicate over the archive's rows.
INSERT INTO archive_keys
SELECT DISTINCT tbl, h
FROM (
  SELECT 'logs' AS tbl, md5_number(ServiceName || chr(0) || json_extract_string(LogAttributes, '$."import.key"')) AS h
  FROM archive_logs WHERE {{filter}} AND json_extract_string(LogAttributes, '$."import.key"') IS NOT NULL
  UNION ALL
  SELECT 'metrics', md5_number(ServiceName || chr(0) || json_extract_string(Attributes, '$."import.key"'))
  FROM archive_metrics WHERE {{filter}} AND json_extract_string(Attributes, '$."import.key"') IS NOT NULL
)
WHERE hash(h) % $buckets::UBIGINT = $bucket::UBIGINT;

DELETE FROM present_keys;

INSERT INTO present_keys
SELECT DISTINCT tbl, h
FROM (
  SELECT 'logs' AS tbl, md5_number(ServiceName || chr(0) || json_extract_string(LogAttributes, '$."import.key"')) AS h
  FROM otel_logs
  WHERE ServiceName IN (SELECT service FROM archive_services WHERE tbl = 'logs') AND json_extract_string(LogAttributes, '$."import.key"') IS NOT NULL
  UNION ALL
  SELECT 'metrics', md5_number(ServiceName || chr(0) || json_extract_string(Attributes, '$."import.key"'))
  FROM otel_metrics
  WHERE ServiceName IN (SELECT service FROM archive_services WHERE tbl = 'metrics') AND json_extract_string(Attributes, '$."import.key"') IS NOT NULL
)
WHERE hash(h) % $buckets::UBIGINT = $bucket::UBIGINT;

INSERT INTO new_keys
SELECT tbl, h
FROM archive_keys k
WHERE hash(h) % $buckets::UBIGINT = $bucket::UBIGINT
  AND NOT EXISTS (SELECT 1 FROM present_keys p WHERE p.tbl = k.tbl AND p.h = k.h);
