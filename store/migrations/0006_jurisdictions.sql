-- 0006: jurisdictions, each source's own clock, comparable pools (issue 12).
--
-- A 2022 New York export was a Chinese province counted against the load
-- time. Now every source belongs to a jurisdiction (a country and a root
-- region: 中国, New York City, San Francisco), has its own as_of (the time
-- its data is as of, not the time it was loaded), and entities are ranked
-- only against entities of the same jurisdiction measured under the same
-- deadline rule (a pool).

-- jurisdictions: the roots of the region tree. A top-level region (no
-- parent_code) hangs under its jurisdiction; "national" figures are the
-- jurisdiction's. Each names the tiers of its regions in both languages
-- (NULL: the jurisdiction has no such tier): China's province/city/county,
-- New York's boroughs, a city's ZIP code areas.
CREATE TABLE IF NOT EXISTS jurisdictions (
    code       VARCHAR PRIMARY KEY,  -- CN, nyc, or the open311 city's code
    name       VARCHAR NOT NULL,
    name_en    VARCHAR NOT NULL,
    country    VARCHAR NOT NULL,     -- ISO 3166-1 alpha-2: CN, US
    time_zone  VARCHAR NOT NULL,     -- IANA
    province_zh VARCHAR, province_en VARCHAR,
    city_zh     VARCHAR, city_en     VARCHAR,
    county_zh   VARCHAR, county_en   VARCHAR
);
INSERT OR IGNORE INTO jurisdictions VALUES ('CN', '中国', 'China', 'CN', 'Asia/Shanghai',
    '省级', 'Province', '地市', 'City', '区县', 'County');

-- Each source: its jurisdiction; its as_of and how it was chosen
-- (declared: snapshot_at / --as-of; data: the latest timestamp the data
-- holds; fetch: the time a feed was fetched); when it was last loaded;
-- whether its categories are a path ("A/B/C") or plain names.
ALTER TABLE sources ADD COLUMN IF NOT EXISTS jurisdiction VARCHAR DEFAULT 'CN';
ALTER TABLE sources ADD COLUMN IF NOT EXISTS as_of TIMESTAMPTZ;
ALTER TABLE sources ADD COLUMN IF NOT EXISTS as_of_rule VARCHAR;
ALTER TABLE sources ADD COLUMN IF NOT EXISTS loaded_at TIMESTAMPTZ;
ALTER TABLE sources ADD COLUMN IF NOT EXISTS category_tree BOOLEAN DEFAULT true;
UPDATE sources SET jurisdiction = 'CN' WHERE jurisdiction IS NULL;
UPDATE sources SET category_tree = profile NOT IN ('nyc311', 'open311');

-- regions: the jurisdiction each region belongs to (NULL reads as CN).
ALTER TABLE regions ADD COLUMN IF NOT EXISTS jurisdiction VARCHAR;
ALTER TABLE departments ADD COLUMN IF NOT EXISTS jurisdiction VARCHAR;

-- (Every statement can run twice: a test re-applies it.)

-- Metrics are derived data: rebuilt with the jurisdiction and the pool in
-- their keys, and recomputed at the next start.
DROP TABLE IF EXISTS metrics;
DROP TABLE IF EXISTS level_averages;
DROP TABLE IF EXISTS category_metrics;
DROP TABLE IF EXISTS reply_distribution;

CREATE TABLE metrics (
    metric_run_id     BIGINT NOT NULL,
    jurisdiction      VARCHAR NOT NULL,  -- the root the entity belongs to (CN, nyc, …)
    level             VARCHAR NOT NULL,  -- national, province, city, county, department
    entity_id         VARCHAR NOT NULL,  -- region code, department id, the jurisdiction's code, or _unattributed (未识别)
    parent_id         VARCHAR,           -- the region above (for a department: its region; for a top region: the jurisdiction)
    pool              VARCHAR NOT NULL,  -- the deadline rules its messages were measured under: 15wd, 10cd, 5wd+15wd
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
    km_median_h       DOUBLE,
    km_median_more    BOOLEAN,
    km_p90_h          DOUBLE,
    km_p90_more       BOOLEAN,
    km_median_days    DOUBLE,
    km_median_days_more BOOLEAN,
    km_p90_days       DOUBLE,
    km_p90_days_more  BOOLEAN,
    plain_median_h    DOUBLE,
    plain_median_days DOUBLE,
    reply_shrunk      DOUBLE,
    on_time_shrunk    DOUBLE,
    satisfaction_shrunk DOUBLE,
    score             DOUBLE,
    components        VARCHAR,
    eligible          BOOLEAN NOT NULL,
    rank              INTEGER,
    rank_in_parent    INTEGER,
    pool_ranked       INTEGER,           -- how many entities are ranked in the pool
    prev_rank         INTEGER,           -- rank in the previous period of the same kind
    rank_change       INTEGER,           -- prev_rank minus rank when the two compare like with like
    rank_change_note  VARCHAR,           -- why rank_change is empty: new, not_ranked, rule_changed, pool_changed
    percentile        DOUBLE,
    prev_percentile   DOUBLE,
    percentile_change DOUBLE,            -- percentile minus prev_percentile, under the same rule
    PRIMARY KEY (jurisdiction, level, entity_id, period_kind, period)
);

CREATE TABLE level_averages (
    metric_run_id  BIGINT NOT NULL,
    jurisdiction   VARCHAR NOT NULL,
    level          VARCHAR NOT NULL,
    pool           VARCHAR NOT NULL,
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
    mean_score     DOUBLE,
    PRIMARY KEY (jurisdiction, level, pool, period_kind, period)
);

CREATE TABLE category_metrics (
    metric_run_id BIGINT NOT NULL,
    jurisdiction  VARCHAR NOT NULL,
    level         VARCHAR NOT NULL,
    entity_id     VARCHAR NOT NULL,
    period_kind   VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    category      VARCHAR NOT NULL,
    received      BIGINT NOT NULL,
    mature        BIGINT NOT NULL,
    replied       BIGINT NOT NULL,
    on_time       BIGINT NOT NULL,
    on_time_rate  DOUBLE, on_time_lo DOUBLE, on_time_hi DOUBLE,
    PRIMARY KEY (jurisdiction, level, entity_id, period_kind, period, category)
);

CREATE TABLE reply_distribution (
    metric_run_id BIGINT NOT NULL,
    jurisdiction  VARCHAR NOT NULL,
    level         VARCHAR NOT NULL,
    entity_id     VARCHAR NOT NULL,
    period_kind   VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    bucket        INTEGER NOT NULL,
    messages      BIGINT NOT NULL,
    sla_min       INTEGER NOT NULL,
    sla_max       INTEGER NOT NULL,
    workdays      BOOLEAN NOT NULL,
    calendar_days BOOLEAN NOT NULL
);

-- A database that loaded New York under the old layout holds a province
-- "nyc" with the boroughs as its cities: the boroughs become the top tier
-- of the jurisdiction nyc, which the next load of the source registers.
DELETE FROM regions WHERE region_code = 'nyc' AND level = 'province';
UPDATE regions SET level = 'province', parent_code = NULL, jurisdiction = 'nyc' WHERE parent_code = 'nyc';
UPDATE departments SET jurisdiction = 'nyc', region_code = NULL WHERE region_code = 'nyc';
UPDATE sources SET jurisdiction = 'nyc' WHERE profile = 'nyc311';

-- The metrics in force count no load any more (the watermark
-- store.MetricsBehind reads): the next start computes everything again.
INSERT OR REPLACE INTO meta (key, value)
SELECT 'metrics_input', CAST(max(metric_run_id) AS VARCHAR) || ':0' FROM metric_runs
HAVING max(metric_run_id) IS NOT NULL;
