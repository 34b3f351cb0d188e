-- Wenzheng metrics, exactly as defined on the methodology page (SPEC.md,
-- "Metric definitions"). Plain DuckDB SQL over the documented tables
-- (messages, sources, regions, departments, calendar) and a one-row table
-- _params holding the values in force:
--   as_of TIMESTAMPTZ, w_reply, w_on_time, w_satisfaction, w_basic, m, z DOUBLE, min_n INTEGER.
-- The result is the table _metrics, one row per entity and period.

CREATE OR REPLACE TEMP MACRO wilson_lo(k, n, z) AS
    CASE WHEN n > 0 THEN ((k / n) + z * z / (2 * n) - z * sqrt(greatest((k / n) * (1 - k / n) / n + z * z / (4 * n * n), 0))) / (1 + z * z / n) END;
CREATE OR REPLACE TEMP MACRO wilson_hi(k, n, z) AS
    CASE WHEN n > 0 THEN ((k / n) + z * z / (2 * n) + z * sqrt(greatest((k / n) * (1 - k / n) / n + z * z / (4 * n * n), 0))) / (1 + z * z / n) END;

-- One row per message with what every metric needs. The deadline is the end
-- of the day N working days after the posting day, in the source's time zone.
CREATE OR REPLACE TEMP TABLE _facts AS
WITH m AS (
    SELECT msg.*,
           coalesce(s.time_zone, 'Asia/Shanghai') AS tz,
           coalesce(s.sla_days, 15) AS sla_days,
           coalesce(s.workdays, true) AS workdays
    FROM messages msg
    LEFT JOIN sources s ON s.name = msg.source
), d AS (
    SELECT m.*, CAST(timezone(m.tz, m.posted_at) AS DATE) AS posted_day FROM m
), dl AS (
    SELECT d.*,
           CASE WHEN d.workdays THEN w.day ELSE d.posted_day + d.sla_days END AS deadline_day
    FROM d
    LEFT JOIN calendar c ON c.day = d.posted_day
    LEFT JOIN calendar w ON w.is_workday AND w.workday_seq = c.workday_seq + d.sla_days
)
SELECT dl.source, dl.source_id, dl.region_code, dl.department_id, dl.posted_day, dl.rating,
       dl.status = 'deleted' AS is_deleted,
       coalesce(ddl.deadline_at <= p.as_of, false) AS is_mature,
       coalesce(dl.first_reply_at <= p.as_of, false) AS is_replied,
       coalesce(dl.first_reply_at <= p.as_of AND dl.first_reply_at <= ddl.deadline_at, false) AS is_on_time,
       -- time to first reply, censored at as_of when there is none yet
       date_diff('second', dl.posted_at, CASE WHEN dl.first_reply_at <= p.as_of THEN dl.first_reply_at ELSE p.as_of END) / 3600.0 AS t_hours
FROM dl
CROSS JOIN _params p
CROSS JOIN LATERAL (SELECT timezone(dl.tz, CAST(dl.deadline_day + 1 AS TIMESTAMP)) AS deadline_at) ddl
WHERE dl.posted_at <= p.as_of;

-- Each message counts for its province, city and county, its department,
-- and the nation, in its month, quarter and year. A message that could not
-- be attributed to a region (or a department) counts under the explicit
-- entity '_unattributed' (未识别) of that level, which is never ranked.
CREATE OR REPLACE TEMP TABLE _expanded AS
WITH geo AS (
    SELECT r.region_code,
           CASE r.level WHEN 'province' THEN r.region_code WHEN 'city' THEN r.parent_code ELSE up.parent_code END AS province,
           CASE r.level WHEN 'city' THEN r.region_code WHEN 'county' THEN r.parent_code END AS city,
           CASE r.level WHEN 'county' THEN r.region_code END AS county
    FROM regions r
    LEFT JOIN regions up ON up.region_code = r.parent_code
), f AS (
    SELECT f.*, g.province, g.city, g.county, dep.region_code AS department_region
    FROM _facts f
    LEFT JOIN geo g ON g.region_code = f.region_code
    LEFT JOIN departments dep ON dep.department_id = f.department_id
), e AS (
    SELECT 'national' AS level, 'CN' AS entity_id, NULL AS parent_id, * FROM f
    UNION ALL SELECT 'province', coalesce(province, '_unattributed'), 'CN', * FROM f
    UNION ALL SELECT 'city', city, province, * FROM f WHERE city IS NOT NULL
    UNION ALL SELECT 'county', county, city, * FROM f WHERE county IS NOT NULL
    UNION ALL SELECT 'department', coalesce(department_id, '_unattributed'), department_region, * FROM f
)
SELECT e.level, e.entity_id, e.parent_id, k.period_kind,
       CASE k.period_kind
           WHEN 'month' THEN strftime(e.posted_day, '%Y-%m')
           WHEN 'quarter' THEN CAST(year(e.posted_day) AS VARCHAR) || '-Q' || CAST(quarter(e.posted_day) AS VARCHAR)
           ELSE CAST(year(e.posted_day) AS VARCHAR)
       END AS period,
       CAST(date_trunc(k.period_kind, e.posted_day) AS DATE) AS period_start,
       e.is_deleted, e.is_mature, e.is_replied, e.is_on_time, e.rating, e.t_hours
FROM e
CROSS JOIN (VALUES ('month'), ('quarter'), ('year')) k(period_kind);

CREATE OR REPLACE TEMP TABLE _agg AS
SELECT level, entity_id, any_value(parent_id) AS parent_id, period_kind, period, any_value(period_start) AS period_start,
       count(*) AS received,
       count(*) FILTER (WHERE is_deleted) AS deleted,
       count(*) FILTER (WHERE is_mature) AS mature,
       count(*) FILTER (WHERE is_mature AND is_replied) AS replied,
       count(*) FILTER (WHERE is_mature AND is_on_time) AS on_time,
       count(rating) AS rated,
       count(*) FILTER (WHERE rating = 'satisfied') AS satisfied,
       count(*) FILTER (WHERE rating = 'basic') AS basic,
       count(*) FILTER (WHERE rating = 'unsatisfied') AS unsatisfied,
       median(t_hours) FILTER (WHERE is_replied) AS plain_median_h
FROM _expanded
GROUP BY level, entity_id, period_kind, period;

-- Kaplan–Meier: at each distinct time t with d replies among n still
-- waiting, S(t) = Π (1 − d/n). The median is the first t with S(t) ≤ 0.5.
CREATE OR REPLACE TEMP TABLE _km AS
WITH g AS (
    SELECT level, entity_id, period_kind, period, t_hours AS t,
           count(*) FILTER (WHERE is_replied) AS d, count(*) AS c
    FROM _expanded
    GROUP BY level, entity_id, period_kind, period, t_hours
), r AS (
    SELECT *, sum(c) OVER (PARTITION BY level, entity_id, period_kind, period ORDER BY t DESC) AS n FROM g
), s AS (
    SELECT *, product(1 - d / n) OVER (PARTITION BY level, entity_id, period_kind, period ORDER BY t
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS surv
    FROM r
)
SELECT level, entity_id, period_kind, period,
       min(t) FILTER (WHERE surv <= 0.5 + 1e-9) AS median_t,
       min(t) FILTER (WHERE surv <= 0.1 + 1e-9) AS p90_t,
       max(t) AS max_t
FROM s
GROUP BY level, entity_id, period_kind, period;

-- p̄: each component's rate over all entities of the same level and period
-- (not the 未识别 bucket: a known entity's score must not depend on how
-- well text extraction worked elsewhere).
CREATE OR REPLACE TEMP TABLE _level_rates AS
SELECT a.level, a.period_kind, a.period,
       sum(a.replied) / nullif(sum(a.mature), 0) AS p_reply,
       sum(a.on_time) / nullif(sum(a.mature), 0) AS p_on_time,
       sum(a.satisfied + p.w_basic * a.basic) / nullif(sum(a.rated), 0) AS p_satisfaction
FROM _agg a CROSS JOIN _params p
WHERE a.entity_id <> '_unattributed'
GROUP BY a.level, a.period_kind, a.period;

CREATE OR REPLACE TEMP TABLE _scored AS
WITH x AS (
    SELECT a.*, p.*,
           a.satisfied + p.w_basic * a.basic AS sat_k,
           (a.replied + p.m * l.p_reply) / (a.mature + p.m) AS reply_shrunk,
           (a.on_time + p.m * l.p_on_time) / (a.mature + p.m) AS on_time_shrunk,
           (a.satisfied + p.w_basic * a.basic + p.m * l.p_satisfaction) / (a.rated + p.m) AS satisfaction_shrunk
    FROM _agg a
    JOIN _level_rates l USING (level, period_kind, period)
    CROSS JOIN _params p
), w AS (
    SELECT x.*,
           CASE WHEN mature > 0 THEN w_reply ELSE 0 END AS wr,
           CASE WHEN mature > 0 THEN w_on_time ELSE 0 END AS wo,
           CASE WHEN rated > 0 THEN w_satisfaction ELSE 0 END AS ws
    FROM x
)
SELECT w.*,
       100 * (wr * coalesce(reply_shrunk, 0) + wo * coalesce(on_time_shrunk, 0) + ws * coalesce(satisfaction_shrunk, 0))
           / nullif(wr + wo + ws, 0) AS score,
       concat_ws(',', CASE WHEN wr > 0 THEN 'reply_rate' END, CASE WHEN wo > 0 THEN 'on_time_rate' END,
                 CASE WHEN ws > 0 THEN 'satisfaction_rate' END) AS components,
       mature >= min_n AND entity_id <> '_unattributed' AS eligible
FROM w;

-- Standard competition ranking (1, 2, 2, 4) on the score as published, to
-- one decimal, among eligible entities.
CREATE OR REPLACE TEMP TABLE _ranked AS
SELECT s.*,
       CASE WHEN eligible THEN rank() OVER (PARTITION BY level, period_kind, period, eligible ORDER BY round(score, 1) DESC) END AS rank,
       CASE WHEN eligible THEN rank() OVER (PARTITION BY level, period_kind, period, parent_id, eligible ORDER BY round(score, 1) DESC) END AS rank_in_parent
FROM _scored s;

CREATE OR REPLACE TEMP TABLE _metrics AS
SELECT r.level, r.entity_id, r.parent_id, r.period_kind, r.period, r.period_start,
       r.received, r.deleted, r.mature, r.replied, r.on_time, r.rated, r.satisfied, r.basic, r.unsatisfied,
       r.replied / nullif(r.mature, 0) AS reply_rate, wilson_lo(r.replied, r.mature, r.z) AS reply_lo, wilson_hi(r.replied, r.mature, r.z) AS reply_hi,
       r.on_time / nullif(r.mature, 0) AS on_time_rate, wilson_lo(r.on_time, r.mature, r.z) AS on_time_lo, wilson_hi(r.on_time, r.mature, r.z) AS on_time_hi,
       r.sat_k / nullif(r.rated, 0) AS satisfaction_rate, wilson_lo(r.sat_k, r.rated, r.z) AS satisfaction_lo, wilson_hi(r.sat_k, r.rated, r.z) AS satisfaction_hi,
       r.deleted / nullif(r.received, 0) AS deletion_rate, wilson_lo(r.deleted, r.received, r.z) AS deletion_lo, wilson_hi(r.deleted, r.received, r.z) AS deletion_hi,
       coalesce(k.median_t, k.max_t) AS km_median_h, k.median_t IS NULL AS km_median_more,
       coalesce(k.p90_t, k.max_t) AS km_p90_h, k.p90_t IS NULL AS km_p90_more,
       r.plain_median_h,
       CASE WHEN r.mature > 0 THEN r.reply_shrunk END AS reply_shrunk,
       CASE WHEN r.mature > 0 THEN r.on_time_shrunk END AS on_time_shrunk,
       CASE WHEN r.rated > 0 THEN r.satisfaction_shrunk END AS satisfaction_shrunk,
       r.score, r.components, r.eligible, r.rank, r.rank_in_parent,
       prev.rank - r.rank AS rank_change
FROM _ranked r
LEFT JOIN _km k USING (level, entity_id, period_kind, period)
LEFT JOIN _ranked prev
       ON prev.level = r.level AND prev.entity_id = r.entity_id AND prev.period_kind = r.period_kind
      AND prev.period_start = CAST(r.period_start - CASE r.period_kind WHEN 'month' THEN INTERVAL 1 MONTH
                                                                   WHEN 'quarter' THEN INTERVAL 3 MONTH
                                                                   ELSE INTERVAL 1 YEAR END AS DATE);
