-- Tokens and cost grouped by {{key}} (a day, a month, a model, a project, a session or a machine), over the
-- `metrics` view of an archive. Token rows are put into one set of columns for every agent, each token counted once:
--   input        tokens read at the input price: Claude `input`; Codex and Gemini `input` less their cached part
--                (their `input` rows include it), plus Gemini's tool-use prompt (`tool`);
--   output       Claude and Codex `output` (Codex's includes `reasoning`), Gemini `output` plus `thoughts`;
--   cache_write  Claude `cacheCreation`;  cache_read  Claude `cacheRead`, Codex `cache_read`, Gemini `cached`.
-- Cost: the `*.cost.usage` rows (not the `_user_facing` copies). The filter is the shared date and service
-- predicate (db/row-filter.sql); every value is a bound parameter.
WITH usage AS (
  SELECT
    Timestamp,
    ServiceName,
    MetricName LIKE '%.cost.usage' AS is_cost,
    json_extract_string(Attributes, '$.type') AS token_type,
    coalesce(nullif(json_extract_string(Attributes, '$.model'), ''), '(none)') AS model,
    coalesce(nullif(json_extract_string(Attributes, '$.repository'), ''), '(none)') AS project,
    coalesce(nullif(json_extract_string(Attributes, '$."session.id"'), ''), '(none)') AS session,
    coalesce(nullif(json_extract_string(ResourceAttributes, '$."host.name"'), ''), '(none)') AS host,
    Value
  FROM metrics
  WHERE (MetricName LIKE '%.token.usage' OR MetricName LIKE '%.cost.usage')
    AND {{filter}}
),
counted AS (
  SELECT
    {{key}} AS key,
    ServiceName,
    model,
    Timestamp,
    CASE
      WHEN is_cost THEN 0
      WHEN token_type IN ('input', 'tool') THEN Value
      WHEN token_type IN ('cache_read', 'cached') AND ServiceName IN ('codex_cli_rs', 'gemini_cli') THEN -Value
      ELSE 0
    END AS input,
    CASE WHEN NOT is_cost AND token_type IN ('output', 'thoughts') THEN Value ELSE 0 END AS output,
    CASE WHEN NOT is_cost AND token_type = 'cacheCreation' THEN Value ELSE 0 END AS cache_write,
    CASE WHEN NOT is_cost AND token_type IN ('cacheRead', 'cache_read', 'cached') THEN Value ELSE 0 END AS cache_read,
    CASE WHEN is_cost THEN Value ELSE 0 END AS cost
  FROM usage
)
SELECT
  key AS {{key_name}},
  string_agg(DISTINCT ServiceName, ', ' ORDER BY ServiceName) AS services,
  coalesce(string_agg(DISTINCT model, ', ' ORDER BY model) FILTER (WHERE model <> '(none)'), '') AS models,
  sum(input)::BIGINT AS input,
  sum(output)::BIGINT AS output,
  sum(cache_write)::BIGINT AS cache_write,
  sum(cache_read)::BIGINT AS cache_read,
  sum(input + output + cache_write + cache_read)::BIGINT AS total_tokens,
  round(sum(cost), 6) AS cost_usd,
  strftime(min(Timestamp), '%Y-%m-%d %H:%M:%S') AS first_seen,
  strftime(max(Timestamp), '%Y-%m-%d %H:%M:%S') AS last_seen
FROM counted
GROUP BY key
