-- 0003: the full rankings engine. Metrics are derived data: the old table is
-- dropped and the computation history cleared, so the next start recomputes
-- everything under the new definitions.

DROP TABLE metrics;
DELETE FROM metric_runs;

CREATE TABLE metrics (
    metric_run_id     BIGINT NOT NULL,
    level             VARCHAR NOT NULL,  -- national, province, city, county, department
    entity_id         VARCHAR NOT NULL,  -- region code, department id, CN, or _unattributed (未识别)
    parent_id         VARCHAR,           -- the region above (for a department: its region)
    period_kind       VARCHAR NOT NULL,  -- month, quarter, year, rolling30, rolling90
    period            VARCHAR NOT NULL,  -- 2025-03, 2025-Q1, 2025, 30d, 90d
    period_start      DATE NOT NULL,
    period_end        DATE NOT NULL,     -- exclusive
    received          BIGINT NOT NULL,
    deleted           BIGINT NOT NULL,
    mature            BIGINT NOT NULL,
    replied           BIGINT NOT NULL,
    on_time           BIGINT NOT NULL,
    rated             BIGINT NOT NULL,
    satisfied         BIGINT NOT NULL,
    basic             BIGINT NOT NULL,
    unsatisfied       BIGINT NOT NULL,
    overdue_open      BIGINT NOT NULL,   -- mature and still unreplied at as_of
    reply_rate        DOUBLE, reply_lo DOUBLE, reply_hi DOUBLE,
    on_time_rate      DOUBLE, on_time_lo DOUBLE, on_time_hi DOUBLE,
    satisfaction_rate DOUBLE, satisfaction_lo DOUBLE, satisfaction_hi DOUBLE,
    deletion_rate     DOUBLE, deletion_lo DOUBLE, deletion_hi DOUBLE,
    km_median_h       DOUBLE,  -- Kaplan–Meier median hours to first reply
    km_median_more    BOOLEAN, -- true: the curve never fell to 0.5; the value is "more than"
    km_p90_h          DOUBLE,
    km_p90_more       BOOLEAN,
    km_median_days    DOUBLE,  -- the same in deadline days (working days, or calendar days where configured)
    km_median_days_more BOOLEAN,
    km_p90_days       DOUBLE,
    km_p90_days_more  BOOLEAN,
    plain_median_h    DOUBLE,  -- median over replied messages only
    plain_median_days DOUBLE,
    reply_shrunk      DOUBLE,
    on_time_shrunk    DOUBLE,
    satisfaction_shrunk DOUBLE,
    score             DOUBLE,
    components        VARCHAR, -- the components the score used, comma-separated
    eligible          BOOLEAN NOT NULL,
    rank              INTEGER,
    rank_in_parent    INTEGER,
    prev_rank         INTEGER, -- rank in the previous period of the same kind
    rank_change       INTEGER, -- prev_rank minus rank: positive is better
    percentile        DOUBLE,  -- share of ranked entities of the level scoring lower, 0–100
    PRIMARY KEY (level, entity_id, period_kind, period)
);

-- level_averages: p̄, each component's rate over all entities of a level in
-- a period (the 未识别 bucket left out), which scores shrink towards and
-- scorecards compare with.
CREATE TABLE level_averages (
    metric_run_id  BIGINT NOT NULL,
    level          VARCHAR NOT NULL,
    period_kind    VARCHAR NOT NULL,
    period         VARCHAR NOT NULL,
    entities       BIGINT NOT NULL,
    ranked         BIGINT NOT NULL,
    received       BIGINT NOT NULL,
    mature         BIGINT NOT NULL,
    rated          BIGINT NOT NULL,
    reply_rate     DOUBLE,
    on_time_rate   DOUBLE,
    satisfaction_rate DOUBLE,
    mean_score     DOUBLE,  -- mean score of the ranked entities
    PRIMARY KEY (level, period_kind, period)
);

-- category_metrics: each entity's messages by category (the first level of
-- the category path), for "where points are lost".
CREATE TABLE category_metrics (
    metric_run_id BIGINT NOT NULL,
    level         VARCHAR NOT NULL,
    entity_id     VARCHAR NOT NULL,
    period_kind   VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    category      VARCHAR NOT NULL,  -- '' when the message has none
    received      BIGINT NOT NULL,
    mature        BIGINT NOT NULL,
    replied       BIGINT NOT NULL,
    on_time       BIGINT NOT NULL,
    on_time_rate  DOUBLE, on_time_lo DOUBLE, on_time_hi DOUBLE,
    PRIMARY KEY (level, entity_id, period_kind, period, category)
);

-- message_facts: every message's deadline and standing at as_of, for thread
-- pages and overdue lists.
CREATE TABLE message_facts (
    metric_run_id BIGINT NOT NULL,
    source        VARCHAR NOT NULL,
    source_id     VARCHAR NOT NULL,
    deadline_at   TIMESTAMPTZ,
    is_mature     BOOLEAN NOT NULL,
    is_replied    BOOLEAN NOT NULL,
    is_on_time    BOOLEAN NOT NULL,
    t_hours       DOUBLE NOT NULL,   -- to the first reply, or to as_of when none yet
    t_days        INTEGER NOT NULL,  -- the same in deadline days
    PRIMARY KEY (source, source_id)
);
