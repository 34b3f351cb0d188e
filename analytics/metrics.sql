-- Wenzheng metrics, exactly as defined on the methodology page (SPEC.md,
-- "Metric definitions"). Plain DuckDB SQL over the documented tables
-- (messages, sources, regions, departments, calendar) and a one-row table
-- _params holding the values in force:
--   as_of TIMESTAMPTZ, w_reply, w_on_time, w_satisfaction, w_basic, m, z DOUBLE, min_n INTEGER.
-- Each source has its own clock: a message is due, censored and placed in
-- the rolling windows against its source's as_of (sources.as_of, the time
-- the source's data is as of); _params.as_of only stands in for a source
-- that has none yet. Each source belongs to a jurisdiction (sources.
-- jurisdiction: CN, nyc, …), whose figures are its "national" ones, and
-- entities are ranked only within their jurisdiction, against entities
-- measured under the same deadline rules (the pool: 15wd, 10cd, …).
-- The results are the temp tables _metrics (one row per entity and period),
-- _level_averages, _category_metrics, _distribution_buckets, _distribution
-- and _facts.

-- The Wilson score interval of k successes out of n. At k = 0 the lower
-- bound is exactly 0 and at k = n the upper exactly 1: the formula reaches
-- them only up to rounding (a published −1.17e-17 reads as a negative
-- rate), and elsewhere the bounds are clamped to [0, 1] for the same
-- reason. analytics.Wilson is the same computation in Go.
CREATE OR REPLACE TEMP MACRO wilson_lo(k, n, z) AS
    CASE WHEN n > 0 THEN CASE WHEN k <= 0 THEN CAST(0 AS DOUBLE) ELSE least(greatest(
        ((k / n) + z * z / (2 * n) - z * sqrt(greatest((k / n) * (1 - k / n) / n + z * z / (4 * n * n), 0))) / (1 + z * z / n),
        CAST(0 AS DOUBLE)), CAST(1 AS DOUBLE)) END END;
CREATE OR REPLACE TEMP MACRO wilson_hi(k, n, z) AS
    CASE WHEN n > 0 THEN CASE WHEN k >= n THEN CAST(1 AS DOUBLE) ELSE least(greatest(
        ((k / n) + z * z / (2 * n) + z * sqrt(greatest((k / n) * (1 - k / n) / n + z * z / (4 * n * n), 0))) / (1 + z * z / n),
        CAST(0 AS DOUBLE)), CAST(1 AS DOUBLE)) END END;

-- The calendar periods of a day: its month, quarter or year, named as the
-- site and the API name them (2025-03, 2025-Q1, 2025), the day it starts on
-- and the length of the kind, to step to the next or the previous one.
CREATE OR REPLACE TEMP MACRO period_start_of(kind, day) AS CAST(date_trunc(kind, day) AS DATE);
CREATE OR REPLACE TEMP MACRO period_step(kind) AS
    CASE kind WHEN 'month' THEN INTERVAL 1 MONTH WHEN 'quarter' THEN INTERVAL 3 MONTH ELSE INTERVAL 1 YEAR END;
CREATE OR REPLACE TEMP MACRO period_of(kind, day) AS
    CASE kind
        WHEN 'month' THEN strftime(day, '%Y-%m')
        WHEN 'quarter' THEN CAST(year(day) AS VARCHAR) || '-Q' || CAST(quarter(day) AS VARCHAR)
        ELSE CAST(year(day) AS VARCHAR)
    END;

-- Each source's clock and rules.
CREATE OR REPLACE TEMP TABLE _clocks AS
SELECT src.source, coalesce(s.as_of, p.as_of) AS as_of,
       coalesce(s.jurisdiction, 'CN') AS jurisdiction,
       coalesce(s.time_zone, 'Asia/Shanghai') AS tz,
       coalesce(s.sla_days, 15) AS sla_days,
       coalesce(s.workdays, true) AS workdays,
       coalesce(s.category_tree, true) AS category_tree
FROM (SELECT DISTINCT source FROM messages) src
LEFT JOIN sources s ON s.name = src.source
CROSS JOIN _params p;

-- The periods a message belongs to: its calendar month, quarter and year,
-- and the rolling 30 and 90 days ending at as_of when it falls in them. The
-- 30 or 90 days before those ("30d-prev") are computed only for rank_change.
CREATE OR REPLACE TEMP TABLE _periods AS
SELECT 'month' AS period_kind, NULL AS days UNION ALL SELECT 'quarter', NULL UNION ALL SELECT 'year', NULL
UNION ALL SELECT 'rolling30', 30 UNION ALL SELECT 'rolling90', 90;

-- What to compute: by default every period. analytics.Compute, when it can
-- compute only the periods that changed since its last computation, fills
-- these tables at this point (incremental.sql) before the rest runs:
-- _scope_periods, the calendar periods to compute (the rolling windows are
-- always computed); _scope_ranges, the instants whose messages those
-- periods can hold, per source; _scope_extra, messages whose facts must be
-- refreshed though none of their periods is computed.
CREATE TEMP TABLE IF NOT EXISTS _scope AS SELECT true AS everything;
CREATE TEMP TABLE IF NOT EXISTS _scope_periods (period_kind VARCHAR, period VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS _scope_ranges (source VARCHAR, lo TIMESTAMPTZ, hi TIMESTAMPTZ);
CREATE TEMP TABLE IF NOT EXISTS _scope_extra (source VARCHAR, source_id VARCHAR);

-- @scope

-- One row per message with what every metric needs. The deadline is the end
-- of the day N working days (or calendar days, where the source says so)
-- after the posting day, in the source's time zone. t_days counts the same
-- days from the posting day to the day of the first reply (or of as_of):
-- 0 is the same day, and a reply is on time when it comes by day N.
CREATE OR REPLACE TEMP TABLE _facts AS
WITH m AS (
    SELECT msg.source, msg.source_id, msg.region_code, msg.department_id, msg.category, msg.posted_at,
           msg.rating, msg.status,
           CASE WHEN msg.first_reply_at <= c.as_of THEN msg.first_reply_at END AS reply_at,
           CASE WHEN msg.first_reply_at <= c.as_of THEN msg.first_reply_at ELSE c.as_of END AS end_at,
           c.as_of, c.jurisdiction, c.tz, c.sla_days, c.workdays, c.category_tree
    FROM messages msg
    JOIN _clocks c ON c.source = msg.source
    WHERE msg.posted_at <= c.as_of
      AND ((SELECT everything FROM _scope)
           -- the rolling windows, and the windows before them
           OR msg.posted_at > c.as_of - to_hours(24 * 2 * (SELECT max(days) FROM _periods))
           OR EXISTS (SELECT 1 FROM _scope_ranges r WHERE r.source = msg.source AND msg.posted_at >= r.lo AND msg.posted_at < r.hi)
           OR EXISTS (SELECT 1 FROM _scope_extra x WHERE x.source = msg.source AND x.source_id = msg.source_id))
), qh AS (
    -- Local time is what decides a message's day. Converting with a time
    -- zone read from a column is slow row by row, and UTC offsets only
    -- ever change on a quarter hour, so each distinct quarter hour is
    -- converted once: local(t) = local(q) + (t − q).
    SELECT tz, q, timezone(tz, q) AS q_local
    FROM (SELECT DISTINCT tz, to_timestamp(floor(epoch(t) / 900) * 900) AS q
          FROM (SELECT tz, posted_at AS t FROM m UNION ALL SELECT tz, end_at FROM m))
), d AS (
    SELECT m.*,
           CAST(pq.q_local + (m.posted_at - pq.q) AS DATE) AS posted_day,
           CAST(eq.q_local + (m.end_at - eq.q) AS DATE) AS end_day
    FROM m
    JOIN qh pq ON pq.tz = m.tz AND pq.q = to_timestamp(floor(epoch(m.posted_at) / 900) * 900)
    JOIN qh eq ON eq.tz = m.tz AND eq.q = to_timestamp(floor(epoch(m.end_at) / 900) * 900)
), dl AS (
    SELECT d.*,
           CASE WHEN d.workdays THEN w.day ELSE d.posted_day + d.sla_days END AS deadline_day,
           CASE WHEN d.workdays THEN e.workday_seq - c.workday_seq ELSE d.end_day - d.posted_day END AS t_days
    FROM d
    LEFT JOIN calendar c ON c.day = d.posted_day
    LEFT JOIN calendar e ON e.day = d.end_day
    LEFT JOIN calendar w ON w.is_workday AND w.workday_seq = c.workday_seq + d.sla_days
), dd AS (
    -- the deadline: the first instant of the day after deadline_day, local
    SELECT tz, deadline_day, timezone(tz, CAST(deadline_day + 1 AS TIMESTAMP)) AS deadline_at
    FROM (SELECT DISTINCT tz, deadline_day FROM dl)
), x AS (
    SELECT dl.*, dd.deadline_at FROM dl LEFT JOIN dd USING (tz, deadline_day)
)
SELECT source, source_id, jurisdiction, region_code, department_id,
       -- the first level of a category path; a source whose categories are
       -- plain names ("Noise - Street/Sidewalk") keeps them whole
       coalesce(nullif(trim(CASE WHEN category_tree THEN split_part(category, '/', 1) ELSE category END), ''), '') AS category,
       posted_at, posted_day, deadline_at, rating, status,
       status = 'deleted' AS is_deleted,
       coalesce(deadline_at <= as_of, false) AS is_mature,
       reply_at IS NOT NULL AS is_replied,
       -- deadline_at is the first late instant (midnight after day N)
       coalesce(reply_at < deadline_at, false) AS is_on_time,
       -- time to first reply, censored at as_of when there is none yet
       date_diff('second', posted_at, end_at) / 3600.0 AS t_hours,
       coalesce(t_days, 0) AS t_days,
       sla_days, workdays,
       -- the deadline rule, which decides the pool an entity is ranked in
       CAST(sla_days AS VARCHAR) || CASE WHEN workdays THEN 'wd' ELSE 'cd' END AS rule,
       as_of, tz
FROM x;

CREATE OR REPLACE TEMP TABLE _fact_periods AS
WITH cal AS (
    SELECT * FROM (
        SELECT f.rowid AS mid, k.period_kind,
               period_of(k.period_kind, f.posted_day) AS period,
               period_start_of(k.period_kind, f.posted_day) AS period_start,
               CAST(period_start_of(k.period_kind, f.posted_day) + period_step(k.period_kind) AS DATE) AS period_end
        FROM _facts f CROSS JOIN _periods k
        WHERE k.days IS NULL
    ) cal
    WHERE (SELECT everything FROM _scope)
       OR EXISTS (SELECT 1 FROM _scope_periods s WHERE s.period_kind = cal.period_kind AND s.period = cal.period)
), windows AS (
    -- windows of instants, for each source clock: (as_of − n×24 h, as_of],
    -- and the n×24 h before (hours, not days: day arithmetic on instants
    -- would follow the session's time zone and its daylight saving); their
    -- dates are the source's local ones
    SELECT c.as_of, c.tz, k.period_kind, k.days, w.prev,
           CAST(k.days AS VARCHAR) || 'd' || CASE WHEN w.prev THEN '-prev' ELSE '' END AS period,
           CAST(timezone(c.tz, c.as_of - to_hours(24 * CASE WHEN w.prev THEN 2 * k.days ELSE k.days END)) AS DATE) AS period_start,
           CAST(timezone(c.tz, c.as_of - to_hours(24 * CASE WHEN w.prev THEN k.days ELSE 0 END)) AS DATE) + 1 AS period_end
    FROM (SELECT DISTINCT as_of, tz FROM _clocks) c
    CROSS JOIN _periods k
    CROSS JOIN (SELECT false AS prev UNION ALL SELECT true) w
    WHERE k.days IS NOT NULL
), rolling AS (
    SELECT f.rowid AS mid, w.period_kind, w.period, w.period_start, w.period_end
    FROM _facts f
    JOIN windows w ON w.as_of = f.as_of AND w.tz = f.tz
     AND w.prev = (f.posted_at <= f.as_of - to_hours(24 * w.days))
    WHERE f.posted_at > f.as_of - to_hours(24 * (2 * w.days))
)
SELECT * FROM cal UNION ALL SELECT * FROM rolling;

-- Each message counts for its province, city and county, its department,
-- and the nation, in each of its periods. A message that could not be
-- attributed to a region of a level (no region, or one above that level:
-- a city's message has no county) or to a department counts under the
-- explicit entity '_unattributed' (未识别) of that level, which is never
-- ranked and has no parent; so every level adds up to the nation.
--
-- _geo is each region's province, city and county (its own level and those
-- above); the reply-quality metrics (quality.sql) attribute by it too.
CREATE OR REPLACE TEMP TABLE _geo AS
SELECT r.region_code,
       CASE r.level WHEN 'province' THEN r.region_code WHEN 'city' THEN r.parent_code ELSE up.parent_code END AS province,
       CASE r.level WHEN 'city' THEN r.region_code WHEN 'county' THEN r.parent_code END AS city,
       CASE r.level WHEN 'county' THEN r.region_code END AS county
FROM regions r
LEFT JOIN regions up ON up.region_code = r.parent_code;

CREATE OR REPLACE TEMP TABLE _expanded AS
WITH f AS (
    SELECT f.rowid AS mid, f.*, g.province, g.city, g.county, dep.region_code AS department_region
    FROM _facts f
    LEFT JOIN _geo g ON g.region_code = f.region_code
    LEFT JOIN departments dep ON dep.department_id = f.department_id
), e AS (
    SELECT 'national' AS level, jurisdiction AS entity_id, NULL AS parent_id, * FROM f
    UNION ALL SELECT 'province', coalesce(province, '_unattributed'), jurisdiction, * FROM f
    UNION ALL SELECT 'city', coalesce(city, '_unattributed'), CASE WHEN city IS NOT NULL THEN province END, * FROM f
    UNION ALL SELECT 'county', coalesce(county, '_unattributed'), CASE WHEN county IS NOT NULL THEN city END, * FROM f
    UNION ALL SELECT 'department', coalesce(department_id, '_unattributed'), department_region, * FROM f
)
SELECT e.jurisdiction, e.level, e.entity_id, e.parent_id, e.rule, fp.period_kind, fp.period, fp.period_start, fp.period_end,
       e.category, e.is_deleted, e.is_mature, e.is_replied, e.is_on_time, e.rating, e.t_hours, e.t_days,
       e.sla_days, e.workdays
FROM e
-- messages are joined to their periods by the facts' row number: a key of
-- text (source, source_id) made the largest join of the computation several
-- times dearer
JOIN _fact_periods fp USING (mid);

CREATE OR REPLACE TEMP TABLE _agg AS
SELECT jurisdiction, level, entity_id, any_value(parent_id) AS parent_id, period_kind, period,
       -- the pool: every deadline rule the entity's messages were measured under
       array_to_string(list_sort(list_distinct(list(rule))), '+') AS pool,
       -- a rolling window's dates: the widest of the jurisdiction's sources
       min(period_start) AS period_start, max(period_end) AS period_end,
       -- the previous period of the same kind, for rank_change
       CASE WHEN period_kind IN ('month', 'quarter', 'year')
            THEN period_of(period_kind, CAST(any_value(period_start) - period_step(period_kind) AS DATE))
            ELSE period || '-prev'
       END AS prev_period,
       count(*) AS received,
       count(*) FILTER (WHERE is_deleted) AS deleted,
       count(*) FILTER (WHERE is_mature) AS mature,
       count(*) FILTER (WHERE is_mature AND is_replied) AS replied,
       count(*) FILTER (WHERE is_mature AND is_on_time) AS on_time,
       count(*) FILTER (WHERE is_mature AND NOT is_replied) AS overdue_open,
       count(rating) AS rated,
       count(*) FILTER (WHERE rating = 'satisfied') AS satisfied,
       count(*) FILTER (WHERE rating = 'basic') AS basic,
       count(*) FILTER (WHERE rating = 'unsatisfied') AS unsatisfied,
       median(t_hours) FILTER (WHERE is_replied) AS plain_median_h,
       median(t_days) FILTER (WHERE is_replied) AS plain_median_days
FROM _expanded
GROUP BY jurisdiction, level, entity_id, period_kind, period;

-- Kaplan–Meier, in hours and in deadline days: at each distinct time t with
-- d replies among n still waiting, S(t) = Π (1 − d/n). The median is the
-- first t with S(t) ≤ 0.5, the 90th percentile the first with S(t) ≤ 0.1.
CREATE OR REPLACE TEMP TABLE _km AS
WITH grp AS (
    -- an integer key per entity and period makes the sorts below cheap
    SELECT row_number() OVER () AS gid, jurisdiction, level, entity_id, period_kind, period
    FROM (SELECT DISTINCT jurisdiction, level, entity_id, period_kind, period FROM _expanded)
), obs AS (
    SELECT g.gid * 2 AS k, e.t_hours AS t, e.is_replied FROM _expanded e JOIN grp g USING (jurisdiction, level, entity_id, period_kind, period)
    UNION ALL
    SELECT g.gid * 2 + 1, e.t_days, e.is_replied FROM _expanded e JOIN grp g USING (jurisdiction, level, entity_id, period_kind, period)
), g AS (
    SELECT k, t, count(*) FILTER (WHERE is_replied) AS d, count(*) AS c FROM obs GROUP BY k, t
), r AS (
    -- n, the observations at t or later: all of the group's but those
    -- before t, counted over the same ascending order the product takes (t
    -- is distinct within k). A frame to the end of the group cost DuckDB
    -- more than the product itself (a segment tree per group); integer
    -- counts, so n is the same.
    SELECT *, sum(c) OVER (PARTITION BY k) - sum(c) OVER (PARTITION BY k ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) + c AS n FROM g
), s AS (
    SELECT *, product(1 - d / n) OVER (PARTITION BY k ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS surv FROM r
), q AS (
    SELECT k, min(t) FILTER (WHERE surv <= 0.5 + 1e-9) AS median_t,
           min(t) FILTER (WHERE surv <= 0.1 + 1e-9) AS p90_t, max(t) AS max_t
    FROM s GROUP BY k
)
SELECT grp.jurisdiction, grp.level, grp.entity_id, grp.period_kind, grp.period,
       coalesce(h.median_t, h.max_t) AS km_median_h, h.median_t IS NULL AS km_median_more,
       coalesce(h.p90_t, h.max_t) AS km_p90_h, h.p90_t IS NULL AS km_p90_more,
       coalesce(d.median_t, d.max_t) AS km_median_days, d.median_t IS NULL AS km_median_days_more,
       coalesce(d.p90_t, d.max_t) AS km_p90_days, d.p90_t IS NULL AS km_p90_days_more
FROM grp
JOIN q h ON h.k = grp.gid * 2
JOIN q d ON d.k = grp.gid * 2 + 1;

-- p̄: each component's rate over all entities of the same level and period
-- in the same pool (jurisdiction and deadline rules), not the 未识别 bucket:
-- a known entity's score must not depend on how well text extraction worked
-- elsewhere, nor on entities measured against another clock or deadline.
CREATE OR REPLACE TEMP TABLE _level_rates AS
SELECT a.jurisdiction, a.level, a.pool, a.period_kind, a.period,
       count(*) AS entities,
       sum(a.received) AS received, sum(a.mature) AS mature, sum(a.rated) AS rated,
       sum(a.replied) / nullif(sum(a.mature), 0) AS p_reply,
       sum(a.on_time) / nullif(sum(a.mature), 0) AS p_on_time,
       -- counts are summed before w_basic weighs them: a sum of fractions
       -- would depend on the order rows are added in, and rankings.sql
       -- must reproduce every score exactly from the published files
       (sum(a.satisfied) + any_value(p.w_basic) * sum(a.basic)) / nullif(sum(a.rated), 0) AS p_satisfaction
FROM _agg a CROSS JOIN _params p
WHERE a.entity_id <> '_unattributed'
GROUP BY a.jurisdiction, a.level, a.pool, a.period_kind, a.period;

-- The score: each available component shrunk towards p̄ with strength m,
-- weighted, the weights renormalised over the components available.
CREATE OR REPLACE TEMP TABLE _scored AS
WITH x AS (
    SELECT a.*, p.*,
           a.satisfied + p.w_basic * a.basic AS sat_k,
           -- nullif: with m = 0 (no shrinkage) an entity without mature or
           -- rated messages has no such component; 0/0 would be NaN, which
           -- survives a zero weight and sorts above every score
           (a.replied + p.m * l.p_reply) / nullif(a.mature + p.m, 0) AS reply_shrunk,
           (a.on_time + p.m * l.p_on_time) / nullif(a.mature + p.m, 0) AS on_time_shrunk,
           (a.satisfied + p.w_basic * a.basic + p.m * l.p_satisfaction) / nullif(a.rated + p.m, 0) AS satisfaction_shrunk
    FROM _agg a
    LEFT JOIN _level_rates l USING (jurisdiction, level, pool, period_kind, period)
    CROSS JOIN _params p
), w AS (
    SELECT x.*,
           -- a component counts when it can be shrunk: it has messages and
           -- the pool has a p̄ (a 未识别 bucket alone in its pool has none,
           -- and no score rather than a score of 0)
           CASE WHEN mature > 0 AND reply_shrunk IS NOT NULL THEN w_reply ELSE 0 END AS wr,
           CASE WHEN mature > 0 AND on_time_shrunk IS NOT NULL THEN w_on_time ELSE 0 END AS wo,
           CASE WHEN rated > 0 AND satisfaction_shrunk IS NOT NULL THEN w_satisfaction ELSE 0 END AS ws
    FROM x
)
SELECT w.*,
       100 * (wr * coalesce(reply_shrunk, 0) + wo * coalesce(on_time_shrunk, 0) + ws * coalesce(satisfaction_shrunk, 0))
           / nullif(wr + wo + ws, 0) AS score,
       concat_ws(',', CASE WHEN wr > 0 THEN 'reply_rate' END, CASE WHEN wo > 0 THEN 'on_time_rate' END,
                 CASE WHEN ws > 0 THEN 'satisfaction_rate' END) AS components,
       level <> 'national' AND mature >= min_n AND entity_id <> '_unattributed' AS eligible
FROM w;

-- Standard competition ranking (1, 2, 2, 4) on the score as published, to
-- one decimal, among the eligible entities of the pool: the same
-- jurisdiction, level and period, measured under the same deadline rules.
-- The percentile is the share of the other ranked entities of the pool that
-- score lower (100: the best).
CREATE OR REPLACE TEMP TABLE _ranked AS
SELECT s.*,
       CASE WHEN eligible THEN rank() OVER (PARTITION BY jurisdiction, level, pool, period_kind, period, eligible ORDER BY round(score, 1) DESC) END AS rank,
       CASE WHEN eligible THEN rank() OVER (PARTITION BY jurisdiction, level, pool, period_kind, period, parent_id, eligible ORDER BY round(score, 1) DESC) END AS rank_in_parent,
       CASE WHEN eligible THEN count(*) OVER (PARTITION BY jurisdiction, level, pool, period_kind, period, eligible) END AS pool_ranked,
       -- with a single ranked entity there is nobody to be better than: no percentile
       CASE WHEN eligible AND count(*) OVER (PARTITION BY jurisdiction, level, pool, period_kind, period, eligible) > 1
            THEN 100 * percent_rank() OVER (PARTITION BY jurisdiction, level, pool, period_kind, period, eligible ORDER BY round(score, 1)) END AS percentile
FROM _scored s;

-- A rank change compares like with like only: the entity ranked in both
-- periods, under the same deadline rules, in pools that share at least half
-- of the larger one's entities (a rank among 12 says nothing against a rank
-- among 1,000). _pool_overlap counts, for each pool, the entities ranked in
-- it now and in the same pool the period before.
CREATE OR REPLACE TEMP TABLE _pool_overlap AS
SELECT r.jurisdiction, r.level, r.pool, r.period_kind, r.period,
       any_value(r.pool_ranked) AS ranked_now,
       any_value(pp.pool_ranked) AS ranked_before,
       count(prev.rank) AS common
FROM _ranked r
LEFT JOIN _ranked prev
       ON prev.jurisdiction = r.jurisdiction AND prev.level = r.level AND prev.entity_id = r.entity_id
      AND prev.period_kind = r.period_kind AND prev.period = r.prev_period AND prev.pool = r.pool AND prev.rank IS NOT NULL
LEFT JOIN (SELECT DISTINCT jurisdiction, level, pool, period_kind, period, pool_ranked FROM _ranked WHERE rank IS NOT NULL) pp
       ON pp.jurisdiction = r.jurisdiction AND pp.level = r.level AND pp.pool = r.pool
      AND pp.period_kind = r.period_kind AND pp.period = r.prev_period
WHERE r.rank IS NOT NULL
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE _metrics AS
SELECT r.jurisdiction, r.level, r.entity_id, r.parent_id, r.pool, r.period_kind, r.period, r.period_start, r.period_end,
       r.received, r.deleted, r.mature, r.replied, r.on_time, r.rated, r.satisfied, r.basic, r.unsatisfied, r.overdue_open,
       r.replied / nullif(r.mature, 0) AS reply_rate, wilson_lo(r.replied, r.mature, r.z) AS reply_lo, wilson_hi(r.replied, r.mature, r.z) AS reply_hi,
       r.on_time / nullif(r.mature, 0) AS on_time_rate, wilson_lo(r.on_time, r.mature, r.z) AS on_time_lo, wilson_hi(r.on_time, r.mature, r.z) AS on_time_hi,
       r.sat_k / nullif(r.rated, 0) AS satisfaction_rate, wilson_lo(r.sat_k, r.rated, r.z) AS satisfaction_lo, wilson_hi(r.sat_k, r.rated, r.z) AS satisfaction_hi,
       r.deleted / nullif(r.received, 0) AS deletion_rate, wilson_lo(r.deleted, r.received, r.z) AS deletion_lo, wilson_hi(r.deleted, r.received, r.z) AS deletion_hi,
       k.km_median_h, k.km_median_more, k.km_p90_h, k.km_p90_more,
       k.km_median_days, k.km_median_days_more, k.km_p90_days, k.km_p90_days_more,
       r.plain_median_h, r.plain_median_days,
       CASE WHEN r.mature > 0 THEN r.reply_shrunk END AS reply_shrunk,
       CASE WHEN r.mature > 0 THEN r.on_time_shrunk END AS on_time_shrunk,
       CASE WHEN r.rated > 0 THEN r.satisfaction_shrunk END AS satisfaction_shrunk,
       CASE WHEN r.level <> 'national' THEN r.score END AS score,
       r.components, r.eligible, r.rank, r.rank_in_parent, r.pool_ranked,
       prev.rank AS prev_rank,
       CASE WHEN r.rank IS NOT NULL AND prev.rank IS NOT NULL AND prev.pool = r.pool
                 AND o.common >= 0.5 * greatest(o.ranked_now, o.ranked_before)
            THEN prev.rank - r.rank END AS rank_change,
       CASE WHEN r.rank IS NULL THEN NULL
            WHEN prev.entity_id IS NULL THEN 'new'
            WHEN prev.rank IS NULL THEN 'not_ranked'
            WHEN prev.pool <> r.pool THEN 'rule_changed'
            WHEN o.common < 0.5 * greatest(o.ranked_now, o.ranked_before) THEN 'pool_changed'
       END AS rank_change_note,
       r.percentile,
       CASE WHEN prev.pool = r.pool THEN prev.percentile END AS prev_percentile,
       CASE WHEN r.rank IS NOT NULL AND prev.rank IS NOT NULL AND prev.pool = r.pool
            THEN r.percentile - prev.percentile END AS percentile_change
FROM _ranked r
LEFT JOIN _km k USING (jurisdiction, level, entity_id, period_kind, period)
LEFT JOIN _ranked prev
       ON prev.jurisdiction = r.jurisdiction AND prev.level = r.level AND prev.entity_id = r.entity_id
      AND prev.period_kind = r.period_kind AND prev.period = r.prev_period
LEFT JOIN _pool_overlap o
       ON o.jurisdiction = r.jurisdiction AND o.level = r.level AND o.pool = r.pool
      AND o.period_kind = r.period_kind AND o.period = r.period
WHERE r.period NOT LIKE '%-prev';

CREATE OR REPLACE TEMP TABLE _level_averages AS
SELECT l.jurisdiction, l.level, l.pool, l.period_kind, l.period, l.entities,
       count(m.rank) AS ranked, l.received, l.mature, l.rated,
       l.p_reply AS reply_rate, l.p_on_time AS on_time_rate, l.p_satisfaction AS satisfaction_rate,
       -- summed in a fixed order: a parallel float sum could differ in its
       -- last bit from one computation to the next
       avg(m.score ORDER BY m.entity_id) FILTER (WHERE m.rank IS NOT NULL) AS mean_score
FROM _level_rates l
LEFT JOIN _metrics m USING (jurisdiction, level, pool, period_kind, period)
WHERE l.period NOT LIKE '%-prev'
GROUP BY ALL;

-- On-time rate by category (the first level of the category path).
CREATE OR REPLACE TEMP TABLE _category_metrics AS
SELECT jurisdiction, level, entity_id, period_kind, period, category,
       count(*) AS received,
       count(*) FILTER (WHERE is_mature) AS mature,
       count(*) FILTER (WHERE is_mature AND is_replied) AS replied,
       count(*) FILTER (WHERE is_mature AND is_on_time) AS on_time,
       count(*) FILTER (WHERE is_mature AND is_on_time) / nullif(count(*) FILTER (WHERE is_mature), 0) AS on_time_rate,
       wilson_lo(count(*) FILTER (WHERE is_mature AND is_on_time), count(*) FILTER (WHERE is_mature), any_value(p.z)) AS on_time_lo,
       wilson_hi(count(*) FILTER (WHERE is_mature AND is_on_time), count(*) FILTER (WHERE is_mature), any_value(p.z)) AS on_time_hi
FROM _expanded CROSS JOIN _params p
WHERE period NOT LIKE '%-prev' AND level <> 'national'
GROUP BY jurisdiction, level, entity_id, period_kind, period, category;

-- The reply-time distribution. _distribution_buckets is the one definition
-- of its buckets: the deadline days the first reply took (t_days: 0 is the
-- posting day), one by one up to 15, then 16–30 and more than 30; the
-- bucket without days holds the messages not replied by as_of.
CREATE OR REPLACE TEMP TABLE _distribution_buckets AS
SELECT CAST(range AS INTEGER) AS bucket, CAST(range AS VARCHAR) AS key,
       CAST(range AS INTEGER) AS days_from, CAST(range AS INTEGER) AS days_to
FROM range(0, 16)
UNION ALL SELECT 16, '16-30', 16, 30
UNION ALL SELECT 17, '>30', 31, NULL
UNION ALL SELECT 18, 'not_replied', NULL, NULL;

-- Each entity's messages of each period in the buckets, so they add up to
-- its received; with the deadlines their sources set, which decide the
-- buckets that are late. Counted by day first: far fewer rows to place.
CREATE OR REPLACE TEMP TABLE _distribution AS
WITH d AS (
    SELECT jurisdiction, level, entity_id, period_kind, period,
           CASE WHEN is_replied THEN t_days END AS days,
           count(*) AS messages, min(sla_days) AS sla_min, max(sla_days) AS sla_max,
           bool_or(workdays) AS workdays, bool_or(NOT workdays) AS calendar_days
    FROM _expanded
    WHERE period NOT LIKE '%-prev'
    GROUP BY ALL
)
SELECT d.jurisdiction, d.level, d.entity_id, d.period_kind, d.period, b.bucket,
       sum(d.messages) AS messages, min(d.sla_min) AS sla_min, max(d.sla_max) AS sla_max,
       bool_or(d.workdays) AS workdays, bool_or(d.calendar_days) AS calendar_days
FROM d
JOIN _distribution_buckets b
  ON CASE WHEN d.days IS NULL THEN b.days_from IS NULL
          ELSE d.days >= b.days_from AND d.days <= coalesce(b.days_to, d.days) END
GROUP BY ALL;
