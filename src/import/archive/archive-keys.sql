-- The usage events of an archive (rows with our `import.key`) that the database lacks, per table: the rows of an event
-- in the database win over the archive's (a key is looked up in the table itself, not in our bookkeeping, so rows
-- deleted after archiving come back). An event is its service and key, compared as one 128-bit MD5 (md5_number,
-- archive-rows.sql): two events of one archive and database sharing a hash is far less likely than a disk error. The
-- sets are built in buckets of the hash ($bucket of $buckets), each with a bounded share of the events, so that
-- DuckDB's bounded memory holds them whatever the archive's size.
INSERT INTO archive_keys
SELECT DISTINCT tbl, h
FROM archive_rows
WHERE h IS NOT NULL AND hash(h) % $buckets::UBIGINT = $bucket::UBIGINT;

DELETE FROM present_keys;

INSERT INTO present_keys
SELECT DISTINCT tbl, h
FROM database_rows
WHERE h IS NOT NULL AND hash(h) % $buckets::UBIGINT = $bucket::UBIGINT;

INSERT INTO new_keys
SELECT tbl, h
FROM archive_keys k
WHERE hash(h) % $buckets::UBIGINT = $bucket::UBIGINT
  AND NOT EXISTS (SELECT 1 FROM present_keys p WHERE p.tbl = k.tbl AND p.h = k.h);
