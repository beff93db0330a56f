-- One table's staged flat Parquet file ($source) as Hive partitions under the folder $target (lake-files.ts): by
-- service and UTC day, each file with the table's columns (DuckDB leaves the partition columns out of the files).
-- The kv_metadata placeholder is empty, or the key-value pair that marks files whose rows are deleted (archive-mark.ts);
-- row_group_bytes is the table's (copy-shape.ts).
COPY (
  SELECT *, ServiceName AS service, strftime(Timestamp, '%Y-%m-%d') AS date
  FROM read_parquet($source)
) TO $target (FORMAT PARQUET, COMPRESSION 'ZSTD', ROW_GROUP_SIZE 61440, ROW_GROUP_SIZE_BYTES '{{row_group_bytes}}', PARTITION_BY (service, date){{kv_metadata}})
