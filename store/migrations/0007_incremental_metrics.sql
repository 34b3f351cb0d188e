-- 0007: what the last computation counted, so the next one computes only
-- the periods that changed (issue 13).
--
-- A nightly load of one day's messages used to recompute every period of
-- every year. analytics.Compute now compares the messages with the facts the
-- last computation stored (a hash of the columns of each message it reads,
-- and the local day it counted on), and each source's clock with the one it was computed against, to
-- find the periods whose figures can differ; the methodology settings and
-- the reference tables it was computed with are kept as a fingerprint
-- (metric_runs.basis): when they differ, everything is computed again.
ALTER TABLE message_facts ADD COLUMN IF NOT EXISTS posted_day DATE;
ALTER TABLE message_facts ADD COLUMN IF NOT EXISTS inputs UBIGINT;

-- each source's clock (its as_of) at the last computation
CREATE TABLE IF NOT EXISTS metric_clocks (
    source VARCHAR PRIMARY KEY,
    as_of  TIMESTAMPTZ NOT NULL
);

ALTER TABLE metric_runs ADD COLUMN IF NOT EXISTS basis VARCHAR;
-- how the run computed: 'full', or 'incremental' with the periods it did
ALTER TABLE metric_runs ADD COLUMN IF NOT EXISTS how VARCHAR;

-- Metrics computed before this migration have no facts to compare with:
-- the next computation is a full one (it finds no basis).
