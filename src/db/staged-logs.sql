-- otel_logs rows from staged log lines (src/staging/row-text.ts), with the column names and
-- types of the table: the other columns are NULL, 0, or '{}', as the Go importer writes them
-- (go-reference §3.3). Only the rows of the chosen copies ({{winners}}: a table of `q`s) count.
-- {{file}} is a bound parameter or a quoted literal (in a view).
SELECT t::TIMESTAMP AS Timestamp, NULL::VARCHAR AS TraceId, NULL::VARCHAR AS SpanId, 0::UINTEGER AS TraceFlags,
       st AS SeverityText, sn AS SeverityNumber, s AS ServiceName, b AS Body, NULL::VARCHAR AS ResourceSchemaUrl,
       '{}'::JSON AS ResourceAttributes, NULL::VARCHAR AS ScopeSchemaUrl, NULL::VARCHAR AS ScopeName,
       NULL::VARCHAR AS ScopeVersion, '{}'::JSON AS ScopeAttributes, a::JSON AS LogAttributes
FROM read_json({{file}}, format = 'newline_delimited',
               columns = {t: 'VARCHAR', st: 'VARCHAR', sn: 'INTEGER', s: 'VARCHAR', b: 'VARCHAR', a: 'VARCHAR', q: 'BIGINT'})
WHERE q IN (SELECT q FROM {{winners}})
