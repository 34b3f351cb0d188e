-- Which periods a computation must do again, run by analytics.Compute at
-- the "@scope" mark of metrics.sql when the last computation used the same
-- methodology settings, reference tables and code (metric_runs.basis). It
-- compares the messages with the facts the last computation stored
-- (message_facts) and each source's clock (_clocks) with the one it was
-- computed against (metric_clocks), and fills the _scope tables.
--
-- A calendar period's figures can differ from the stored ones only when
--  - a message of it is new, changed (in a column metrics.sql reads:
--    inputs.sql), or gone, or moved to another period;
--  - its source's clock moved past a deadline of it (the message matured),
--    or past the first reply of a message (the reply now counts);
--  - its source's clock moved while a message of it still waits: the wait
--    is censored at the clock. The Kaplan–Meier estimate then keeps its
--    value when every wait was already at least as long as every reply
--    time of the period (a censored wait counts as "still waiting" at each
--    reply time before and after), but for the medians and 90th
--    percentiles not reached: the figure published for those is the
--    longest wait, which grows with the clock (_patch).
-- Every other period keeps its rows; the rolling windows are always
-- computed. A period is computed again with the one after it (whose rank
-- change compares with it), and the one before each is computed too, so
-- those comparisons can be made, but not stored.

CREATE OR REPLACE TEMP TABLE _moved AS
SELECT c.source, c.tz, o.as_of AS was, c.as_of AS now
FROM _clocks c LEFT JOIN metric_clocks o USING (source);

-- messages new, changed or gone since the last computation: the local day
-- they count on now, and the one they counted on then
CREATE OR REPLACE TEMP TABLE _changed AS
WITH cur AS (
    SELECT i.source, i.source_id, i.posted_at, i.inputs, c.tz
    FROM _inputs i JOIN _clocks c ON c.source = i.source
    WHERE i.posted_at <= c.as_of
)
SELECT coalesce(n.source, f.source) AS source, coalesce(n.source_id, f.source_id) AS source_id,
       CAST(timezone(n.tz, n.posted_at) AS DATE) AS day_now, f.posted_day AS day_then
FROM cur n
FULL JOIN message_facts f ON f.source = n.source AND f.source_id = n.source_id
WHERE n.source_id IS NULL OR f.source_id IS NULL OR n.inputs IS DISTINCT FROM f.inputs;

-- the stored facts a moved clock changes: those maturing, those whose reply
-- now counts, and those still waiting
CREATE OR REPLACE TEMP TABLE _ticked AS
SELECT f.source, f.source_id, f.posted_day, f.t_hours, f.t_days,
       f.deadline_at > m.was AND f.deadline_at <= m.now AS matured,
       NOT f.is_replied AND msg.first_reply_at <= m.now AS answered
FROM message_facts f
JOIN _moved m ON m.source = f.source
LEFT JOIN messages msg ON msg.source = f.source AND msg.source_id = f.source_id
WHERE m.now > m.was
  AND (NOT f.is_replied OR (f.deadline_at > m.was AND f.deadline_at <= m.now));

-- per posting day and source of the stored facts: messages, and the
-- longest reply time
CREATE OR REPLACE TEMP TABLE _days AS
SELECT posted_day AS day, source, count(*) AS messages,
       max(t_hours) FILTER (WHERE is_replied) AS reply_hours,
       max(t_days) FILTER (WHERE is_replied) AS reply_days
FROM message_facts
GROUP BY posted_day, source;

-- how far each moved clock went: in seconds (t_hours is whole seconds
-- over 3,600, and date_diff counts whole seconds, so a wait censored at
-- the clock grows by exactly this), and in the source's deadline days
CREATE OR REPLACE TEMP TABLE _moves AS
SELECT m.source, date_diff('second', m.was, m.now) AS seconds,
       CASE WHEN c.workdays THEN cn.workday_seq - cw.workday_seq
            WHEN cn.day IS NOT NULL AND cw.day IS NOT NULL THEN cn.day - cw.day END AS days
FROM _moved m
JOIN _clocks c ON c.source = m.source
LEFT JOIN calendar cn ON cn.day = CAST(timezone(m.tz, m.now) AS DATE)
LEFT JOIN calendar cw ON cw.day = CAST(timezone(m.tz, m.was) AS DATE)
WHERE m.now > m.was;

-- Each period with a message still waiting at a moved clock is judged:
-- stable when every wait already was at least as long as every reply time
-- (see above); its figures then stay, except the medians and 90th
-- percentiles not reached, which are the longest wait of their entity:
-- when every source of the period moved by the same seconds and days,
-- that wait grew by exactly as much, and _patch says by how much;
-- otherwise the period is computed again.
CREATE OR REPLACE TEMP TABLE _judged AS
WITH kinds AS (
    SELECT period_kind FROM _periods WHERE days IS NULL
), waiting AS (
    SELECT k.period_kind, period_start_of(k.period_kind, t.posted_day) AS start,
           min(t.t_hours) AS wait_hours, min(t.t_days) AS wait_days
    FROM _ticked t CROSS JOIN kinds k
    WHERE NOT t.matured AND NOT coalesce(t.answered, false)
    GROUP BY ALL
), per AS (
    SELECT k.period_kind, period_start_of(k.period_kind, d.day) AS start,
           max(d.reply_hours) AS reply_hours, max(d.reply_days) AS reply_days,
           count(*) FILTER (WHERE mv.source IS NULL OR mv.days IS NULL) AS unmoved,
           min(mv.seconds) AS seconds, max(mv.seconds) AS seconds_max,
           min(mv.days) AS days, max(mv.days) AS days_max
    FROM _days d CROSS JOIN kinds k
    LEFT JOIN _moves mv ON mv.source = d.source
    GROUP BY ALL
), unreached AS (
    SELECT DISTINCT period_kind, period FROM metrics
    WHERE period_kind IN (SELECT period_kind FROM kinds)
      AND (km_median_more OR km_p90_more OR km_median_days_more OR km_p90_days_more)
)
SELECT w.period_kind, w.start, period_of(w.period_kind, w.start) AS period,
       (p.reply_hours IS NULL OR w.wait_hours >= p.reply_hours)
           AND (p.reply_days IS NULL OR w.wait_days >= p.reply_days) AS stable,
       EXISTS (SELECT 1 FROM unreached u WHERE u.period_kind = w.period_kind AND u.period = period_of(w.period_kind, w.start)) AS unreached,
       coalesce(p.unmoved = 0 AND p.seconds = p.seconds_max AND p.days = p.days_max, false) AS same_move,
       p.seconds, p.days
FROM waiting w
LEFT JOIN per p USING (period_kind, start);

CREATE OR REPLACE TEMP TABLE _dirty AS
WITH kinds AS (
    SELECT period_kind FROM _periods WHERE days IS NULL
), hard AS (
    SELECT day_now AS day FROM _changed WHERE day_now IS NOT NULL
    UNION SELECT day_then FROM _changed WHERE day_then IS NOT NULL
    UNION SELECT posted_day FROM _ticked WHERE matured OR answered
)
SELECT DISTINCT k.period_kind, period_start_of(k.period_kind, h.day) AS start
FROM hard h CROSS JOIN kinds k
UNION
SELECT period_kind, start FROM _judged
WHERE NOT stable OR (unreached AND NOT same_move);

-- the periods whose rows are replaced, and the periods computed
CREATE OR REPLACE TEMP TABLE _scope_write AS
SELECT DISTINCT period_kind, period_of(period_kind, start) AS period, start
FROM (SELECT period_kind, start FROM _dirty
      UNION ALL SELECT period_kind, CAST(start + period_step(period_kind) AS DATE) FROM _dirty);

CREATE OR REPLACE TEMP TABLE _scope_periods AS
SELECT DISTINCT period_kind, period_of(period_kind, start) AS period, start,
       CAST(start + period_step(period_kind) AS DATE) AS stop
FROM (SELECT period_kind, start FROM _scope_write
      UNION ALL SELECT period_kind, CAST(start - period_step(period_kind) AS DATE) FROM _scope_write);

-- the instants those periods' messages were posted in, per source, a day
-- wider on each side (a local midnight a time-zone change skips still
-- falls inside), merged into disjoint ranges
CREATE OR REPLACE TEMP TABLE _scope_ranges AS
WITH r AS (
    SELECT c.source,
           timezone(c.tz, CAST(p.start AS TIMESTAMP)) - to_hours(26) AS lo,
           timezone(c.tz, CAST(p.stop AS TIMESTAMP)) + to_hours(26) AS hi
    FROM _clocks c CROSS JOIN _scope_periods p
), o AS (
    SELECT *, max(hi) OVER (PARTITION BY source ORDER BY lo, hi ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM r
), g AS (
    SELECT *, sum(CASE WHEN reach IS NULL OR lo > reach THEN 1 ELSE 0 END) OVER (PARTITION BY source ORDER BY lo, hi) AS island
    FROM o
)
SELECT source, min(lo) AS lo, max(hi) AS hi FROM g GROUP BY source, island;

-- facts to refresh whatever their periods: the clock changed them, or
-- their message changed
CREATE OR REPLACE TEMP TABLE _scope_extra AS
SELECT source, source_id FROM _ticked
UNION SELECT source, source_id FROM _changed;

-- the periods kept whose longest waits grow with the clock
CREATE OR REPLACE TEMP TABLE _patch AS
SELECT j.period_kind, j.period, j.seconds, j.days
FROM _judged j
WHERE j.stable AND j.unreached AND j.same_move
  AND NOT EXISTS (SELECT 1 FROM _scope_write w WHERE w.period_kind = j.period_kind AND w.period = j.period);

CREATE OR REPLACE TEMP TABLE _scope AS SELECT false AS everything;
