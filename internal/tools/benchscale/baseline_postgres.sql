-- The core ranking definitions on PostgreSQL 15 (baseline.go): one row per
-- province × month. Tables: messages (the CSV loaded with COPY, timestamps
-- typed), regions (region_code, level, parent_code) and params (as_of,
-- w_basic). The exact median is percentile_cont(0.5).
WITH geo AS (
    SELECT r.region_code,
           CASE r.level WHEN 'province' THEN r.region_code WHEN 'city' THEN r.parent_code ELSE up.parent_code END AS province
    FROM regions r
    LEFT JOIN regions up ON up.region_code = r.parent_code
), m AS (
    SELECT coalesce(g.province, '_unattributed') AS province,
           msg.posted_at,
           CASE WHEN msg.first_reply_at <= p.as_of THEN msg.first_reply_at END AS reply_at,
           (msg.posted_at AT TIME ZONE 'Asia/Shanghai')::date AS posted_day,
           coalesce(lower(msg.status) = 'deleted' OR msg.status = '已删除', false) AS is_deleted,
           CASE WHEN msg.rating IN ('satisfied', '满意') THEN 's' WHEN msg.rating IN ('basic', '基本满意') THEN 'b'
                WHEN msg.rating IN ('unsatisfied', '不满意') THEN 'u' END AS rating,
           p.as_of, p.w_basic
    FROM messages msg
    CROSS JOIN params p
    LEFT JOIN geo g ON g.region_code = msg.region_code
    WHERE msg.posted_at <= p.as_of
), d AS (
    -- the deadline: the first instant of local day posted_day + 15 + 1;
    -- hours between whole seconds, as Wenzheng's date_diff('second', …)
    SELECT *, (posted_day + 16)::timestamp AT TIME ZONE 'Asia/Shanghai' AS deadline_at,
           (floor(extract(epoch FROM reply_at)) - floor(extract(epoch FROM posted_at)))::float8 / 3600.0 AS hours
    FROM m
), a AS (
    SELECT province, to_char(posted_day, 'YYYY-MM') AS month,
           count(*) AS received,
           count(*) FILTER (WHERE is_deleted) AS deleted,
           count(*) FILTER (WHERE deadline_at <= as_of) AS mature,
           count(*) FILTER (WHERE deadline_at <= as_of AND reply_at IS NOT NULL) AS replied,
           count(*) FILTER (WHERE deadline_at <= as_of AND reply_at < deadline_at) AS on_time,
           count(rating) AS rated,
           count(*) FILTER (WHERE rating = 's') AS satisfied,
           count(*) FILTER (WHERE rating = 'b') AS basic,
           count(*) FILTER (WHERE rating = 'u') AS unsatisfied,
           max(w_basic) AS w_basic,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS plain_median_h
    FROM d
    GROUP BY 1, 2
)
SELECT province, month, received, deleted, mature, replied, on_time, rated, satisfied, basic, unsatisfied,
       replied::float8 / nullif(mature, 0) AS reply_rate,
       on_time::float8 / nullif(mature, 0) AS on_time_rate,
       (satisfied + w_basic * basic) / nullif(rated, 0) AS satisfaction_rate,
       plain_median_h
FROM a
ORDER BY province, month;
