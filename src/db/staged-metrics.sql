-- otel_metrics rows from staged metric lines (src/staging/row-text.ts), with the column names
-- and types of the table: MetricType 'sum', the other columns NULL, '{}' or '[]', as the Go
-- importer writes them (go-reference §3.3). `n` lists, comma-separated, the names of rows that
-- are otherwise equal (a Claude row and its `_user_facing` twin). Tab-separated without quoting:
-- no field can hold a tab or a line break. Only the rows of the chosen copies ({{winners}}: a
-- table of `q`s) count. {{file}} is a bound parameter or a quoted literal (in a view).
SELECT t::TIMESTAMP AS Timestamp, s AS ServiceName, unnest(string_split(n, ',')) AS MetricName,
       NULL::VARCHAR AS MetricDescription, NULL::VARCHAR AS MetricUnit, '{}'::JSON AS ResourceAttributes,
       NULL::VARCHAR AS ScopeName, NULL::VARCHAR AS ScopeVersion, a::JSON AS Attributes, 'sum' AS MetricType,
       v AS Value, NULL::INTEGER AS AggregationTemporality, NULL::BOOLEAN AS IsMonotonic, NULL::UBIGINT AS Count,
       NULL::DOUBLE AS Sum, '[]'::JSON AS BucketCounts, '[]'::JSON AS ExplicitBounds, NULL::INTEGER AS Scale,
       NULL::UBIGINT AS ZeroCount, NULL::INTEGER AS PositiveOffset, '[]'::JSON AS PositiveBucketCounts,
       NULL::INTEGER AS NegativeOffset, '[]'::JSON AS NegativeBucketCounts, '[]'::JSON AS QuantileValues,
       '[]'::JSON AS QuantileQuantiles, NULL::DOUBLE AS Min, NULL::DOUBLE AS Max
FROM read_csv({{file}}, delim = '\t', quote = '', escape = '', header = false, auto_detect = false,
              columns = {t: 'VARCHAR', s: 'VARCHAR', n: 'VARCHAR', v: 'DOUBLE', a: 'VARCHAR', q: 'BIGINT'})
WHERE q IN (SELECT q FROM {{winners}})
