-- The core ranking definitions on SQLite (baseline.go): one row per
-- province × month. Tables: messages (the CSV as .import leaves it: text,
-- '' for empty), regions (region_code, level, parent_code) and params
-- (as_of in Unix seconds, w_basic). SQLite has no time zones: Asia/Shanghai
-- is UTC+8 without daylight saving since 1991, so a fixed offset is exact
-- for data from 1992 on (runDuckDBBaseline checks). A time with a zone
-- (Z, +08:00) is read as such; one without is Asia/Shanghai local time.
-- The exact median is the middle row, or the mean of the two middle rows,
-- by window functions.
PRAGMA temp_store = MEMORY;
PRAGMA cache_size = -262144;
WITH geo AS (
    SELECT r.region_code,
           CASE r.level WHEN 'province' THEN r.region_code WHEN 'city' THEN r.parent_code ELSE up.parent_code END AS province
    FROM regions r
    LEFT JOIN regions up ON up.region_code = nullif(r.parent_code, '')
), t AS (
    SELECT nullif(region_code, '') AS region_code, status,
           CASE WHEN rating IN ('satisfied', '满意') THEN 's' WHEN rating IN ('basic', '基本满意') THEN 'b'
                WHEN rating IN ('unsatisfied', '不满意') THEN 'u' END AS rating,
           unixepoch(posted_at) - CASE WHEN substr(posted_at, 11) GLOB '*[Zz+-]*' THEN 0 ELSE 28800 END AS posted,
           unixepoch(nullif(first_reply_at, '')) - CASE WHEN substr(first_reply_at, 11) GLOB '*[Zz+-]*' THEN 0 ELSE 28800 END AS reply
    FROM messages
), m AS (
    SELECT coalesce(g.province, '_unattributed') AS province, t.posted,
           CASE WHEN t.reply <= p.as_of THEN t.reply END AS reply_at,
           date(t.posted + 28800, 'unixepoch') AS posted_day,
           lower(t.status) = 'deleted' OR t.status = '已删除' AS is_deleted,
           t.rating, p.as_of, p.w_basic
    FROM t
    CROSS JOIN params p
    LEFT JOIN geo g ON g.region_code = t.region_code
    WHERE t.posted <= p.as_of
), d AS (
    -- the deadline: the first instant of local day posted_day + 15 + 1
    SELECT *, substr(posted_day, 1, 7) AS month, unixepoch(posted_day, '+16 days') - 28800 AS deadline_at
    FROM m
), a AS (
    SELECT province, month,
           count(*) AS received,
           count(*) FILTER (WHERE is_deleted) AS deleted,
           count(*) FILTER (WHERE deadline_at <= as_of) AS mature,
           count(*) FILTER (WHERE deadline_at <= as_of AND reply_at IS NOT NULL) AS replied,
           count(*) FILTER (WHERE deadline_at <= as_of AND reply_at < deadline_at) AS on_time,
           count(rating) AS rated,
           count(*) FILTER (WHERE rating = 's') AS satisfied,
           count(*) FILTER (WHERE rating = 'b') AS basic,
           count(*) FILTER (WHERE rating = 'u') AS unsatisfied,
           max(w_basic) AS w_basic
    FROM d
    GROUP BY province, month
), h AS (
    SELECT province, month, (reply_at - posted) / 3600.0 AS hours,
           row_number() OVER (PARTITION BY province, month ORDER BY reply_at - posted) AS rn,
           count(*) OVER (PARTITION BY province, month) AS n
    FROM d
    WHERE reply_at IS NOT NULL
), med AS (
    SELECT province, month, avg(hours) AS plain_median_h
    FROM h
    WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
    GROUP BY province, month
)
SELECT a.province, a.month, received, deleted, mature, replied, on_time, rated,
       satisfied, basic, unsatisfied,
       1.0 * replied / nullif(mature, 0) AS reply_rate,
       1.0 * on_time / nullif(mature, 0) AS on_time_rate,
       (satisfied + w_basic * basic) / nullif(rated, 0) AS satisfaction_rate,
       med.plain_median_h
FROM a
LEFT JOIN med ON med.province = a.province AND med.month = a.month
ORDER BY a.province, a.month;
