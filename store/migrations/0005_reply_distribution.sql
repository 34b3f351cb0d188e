-- 0005: the reply-time distribution is a metric like the others,
-- materialised by analytics after every load (metrics.sql, _distribution).
-- It was computed by the scorecard page on every request, with its own
-- copy of the metrics' scope and periods.

-- reply_distribution_buckets: the buckets, as metrics.sql defines them,
-- written with every computation so that readers take their keys and days
-- from here and never define them again.
CREATE TABLE reply_distribution_buckets (
    metric_run_id BIGINT NOT NULL,
    bucket        INTEGER PRIMARY KEY,  -- the order of the buckets, from 0
    key           VARCHAR NOT NULL,     -- 0 … 15, 16-30, >30, not_replied
    days_from     INTEGER,              -- deadline days of the first reply, inclusive; NULL: not replied
    days_to       INTEGER               -- inclusive; NULL: open (or not replied)
);

-- reply_distribution: an entity's messages of a period in each bucket, for
-- every entity and period that has metrics (a bucket without messages has
-- no row). The deadlines are those the messages' sources set. One row per
-- (level, entity_id, period_kind, period, bucket), which the computation's
-- GROUP BY makes so; no primary key: on the 200,000-message demo its index
-- made storing the 189,000 rows take 1.5–14 s instead of 0.3–1 s, and reads
-- (3–7 ms) were no faster with it.
CREATE TABLE reply_distribution (
    metric_run_id BIGINT NOT NULL,
    level         VARCHAR NOT NULL,
    entity_id     VARCHAR NOT NULL,
    period_kind   VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    bucket        INTEGER NOT NULL,
    messages      BIGINT NOT NULL,
    sla_min       INTEGER NOT NULL,  -- shortest deadline, in days, among the messages' sources
    sla_max       INTEGER NOT NULL,  -- longest
    workdays      BOOLEAN NOT NULL,  -- some of the sources count working days
    calendar_days BOOLEAN NOT NULL   -- some count calendar days
);

-- The metrics in force were computed without these tables: record that
-- they count no load (the watermark store.MetricsBehind reads, "metric
-- run:newest load counted"), so that the next start computes everything
-- again instead of showing empty distributions. Run numbers and their
-- history are kept.
INSERT OR REPLACE INTO meta (key, value)
SELECT 'metrics_input', CAST(max(metric_run_id) AS VARCHAR) || ':0' FROM metric_runs
HAVING max(metric_run_id) IS NOT NULL;
