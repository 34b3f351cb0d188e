-- 0002: what analytics materialises after each load.

-- calendar lists every day with whether it is an official working day in
-- mainland China (weekends, public holidays and 调休 make-up days), and the
-- running count of working days, so deadlines are an equi-join.
CREATE TABLE calendar (
    day         DATE PRIMARY KEY,
    is_workday  BOOLEAN NOT NULL,
    workday_seq INTEGER NOT NULL,
    holiday     VARCHAR
);

-- metric_runs records every computation with the methodology values in
-- force, so an old ranking stays explainable.
CREATE TABLE metric_runs (
    metric_run_id BIGINT PRIMARY KEY,
    computed_at   TIMESTAMPTZ NOT NULL,
    as_of         TIMESTAMPTZ NOT NULL,
    params        JSON NOT NULL,
    took_ms       BIGINT
);

CREATE TABLE metrics (
    metric_run_id     BIGINT NOT NULL,
    level             VARCHAR NOT NULL,  -- national, province, city, county, department
    entity_id         VARCHAR NOT NULL,
    parent_id         VARCHAR,
    period_kind       VARCHAR NOT NULL,  -- month, quarter, year
    period            VARCHAR NOT NULL,  -- 2025-03, 2025-Q1, 2025
    period_start      DATE NOT NULL,
    received          BIGINT NOT NULL,
    deleted           BIGINT NOT NULL,
    mature            BIGINT NOT NULL,
    replied           BIGINT NOT NULL,
    on_time           BIGINT NOT NULL,
    rated             BIGINT NOT NULL,
    satisfied         BIGINT NOT NULL,
    basic             BIGINT NOT NULL,
    unsatisfied       BIGINT NOT NULL,
    reply_rate        DOUBLE, reply_lo DOUBLE, reply_hi DOUBLE,
    on_time_rate      DOUBLE, on_time_lo DOUBLE, on_time_hi DOUBLE,
    satisfaction_rate DOUBLE, satisfaction_lo DOUBLE, satisfaction_hi DOUBLE,
    deletion_rate     DOUBLE, deletion_lo DOUBLE, deletion_hi DOUBLE,
    km_median_h       DOUBLE,  -- Kaplan–Meier median hours to first reply
    km_median_more    BOOLEAN, -- true: the curve never fell to 0.5; the value is "more than"
    km_p90_h          DOUBLE,
    km_p90_more       BOOLEAN,
    plain_median_h    DOUBLE,  -- median over replied messages only
    reply_shrunk      DOUBLE,
    on_time_shrunk    DOUBLE,
    satisfaction_shrunk DOUBLE,
    score             DOUBLE,
    components        VARCHAR, -- the components the score used, comma-separated
    eligible          BOOLEAN NOT NULL,
    rank              INTEGER,
    rank_in_parent    INTEGER,
    rank_change       INTEGER, -- previous rank minus this rank: positive is better
    PRIMARY KEY (level, entity_id, period_kind, period)
);
