-- rankings.sql: recomputes the rankings of Wenzheng release {{id}} from the
-- release's own Parquet files. 由本版本的 Parquet 文件复算排行。
--
-- Run it with a stock DuckDB (https://duckdb.org) from inside the release
-- directory — 在版本目录中运行：
--
--     duckdb < rankings.sql
--     duckdb -csv < rankings.sql > rankings-recomputed.csv
--
-- The result equals the published rankings table row for row: its files,
-- one per period (csv/rankings/<period_kind>/<period>.csv.gz,
-- parquet/rankings/<period_kind>/<period>.parquet), one after the other
-- as release.json lists them (by period_kind, then period). In between
-- runs metrics.sql, the SQL Wenzheng itself computes every metric with,
-- unchanged; the methodology page explains each definition.
-- 输出与发布的 rankings 表逐行一致；中间一段即问政计算全部指标所用的 metrics.sql，原样未改。

-- Times of day are read in each source's own time zone; the session time
-- zone is set to the one the metrics were computed in.
SET TimeZone = '{{timezone}}';

-- The tables metrics.sql reads, as views over the release's files.
{{views}}

-- The methodology values in force (one row).
CREATE OR REPLACE TEMP TABLE _params AS
SELECT as_of, w_reply, w_on_time, w_satisfaction, w_basic, m, z, min_n FROM params;
-- What labels a period provisional: the run's as_of and the share of a
-- period's messages that must be due.
CREATE OR REPLACE TEMP TABLE _due AS SELECT as_of, due_share FROM params;

-- ==== metrics.sql ====
{{metrics}}
-- ==== end of metrics.sql ====

-- The rankings, as published (rankings table):
{{rankings}};
