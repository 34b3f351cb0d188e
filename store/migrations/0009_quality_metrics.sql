-- 0009: reply quality per entity and period, and each department's
-- template clusters (issue 14). analytics.Compute fills both from
-- analytics/quality.sql after the other metrics, in the same transaction,
-- and always whole (the incremental computation too): they are read from
-- reply_quality, which a load can change without changing a message.
--
-- The keys are those of metrics; a metrics row with no quality row has
-- no message to measure. Counts are NULL, never 0, where the source does
-- not record what they count: dialogue_absent_reason says why
-- ('source_records_no_dialogue': no rating and no follow-up at all), and
-- repeat_absent_reason ('source_has_no_author': no author pseudonyms).
CREATE TABLE IF NOT EXISTS quality_metrics (
    metric_run_id    BIGINT NOT NULL,
    jurisdiction     VARCHAR NOT NULL,
    level            VARCHAR NOT NULL,
    entity_id        VARCHAR NOT NULL,
    period_kind      VARCHAR NOT NULL,
    period           VARCHAR NOT NULL,
    -- substance: due messages whose first official reply came by as_of
    base             BIGINT NOT NULL,
    substantive      BIGINT NOT NULL,
    ack              BIGINT NOT NULL,
    forwarded        BIGINT NOT NULL,
    template         BIGINT NOT NULL, -- first replies of class template
    reused           BIGINT NOT NULL, -- first replies in a cluster of at least substance.MinTemplate (any class)
    substantive_rate DOUBLE, substantive_lo DOUBLE, substantive_hi DOUBLE,
    template_share   DOUBLE, template_lo DOUBLE, template_hi DOUBLE,
    forwarded_share  DOUBLE, forwarded_lo DOUBLE, forwarded_hi DOUBLE,
    ack_share        DOUBLE, ack_lo DOUBLE, ack_hi DOUBLE,
    -- dialogue: NULL where the source records none
    dialogue_absent_reason VARCHAR,
    threads          BIGINT, -- messages with an official reply
    followed_up      BIGINT, -- threads with a follow-up by either side
    rounds_mean      DOUBLE, -- citizen follow-ups per thread
    rated_first      BIGINT, -- threads with at least one rating
    first_satisfaction_rate DOUBLE, first_satisfaction_lo DOUBLE, first_satisfaction_hi DOUBLE,
    final_satisfaction_rate DOUBLE, final_satisfaction_lo DOUBLE, final_satisfaction_hi DOUBLE,
    first_unsatisfied BIGINT,
    turned           BIGINT, -- first rating unsatisfied, last satisfied or basic
    turnaround_rate  DOUBLE, turnaround_lo DOUBLE, turnaround_hi DOUBLE,
    turnaround_median_h DOUBLE,
    reopened         BIGINT, -- threads with a citizen follow-up after a rating
    -- repeats: NULL where the source has no author pseudonyms
    repeat_absent_reason VARCHAR,
    repeat_base      BIGINT, -- replied messages with an author
    repeated         BIGINT,
    repeat_rate      DOUBLE, repeat_lo DOUBLE, repeat_hi DOUBLE,
    PRIMARY KEY (jurisdiction, level, entity_id, period_kind, period)
);

-- Clusters of near-identical replies of one department with at least
-- substance.MinTemplate replies, over all time (not per period).
CREATE TABLE IF NOT EXISTS template_clusters (
    metric_run_id     BIGINT NOT NULL,
    department_id     VARCHAR NOT NULL, -- '_unattributed' for replies with no department
    cluster_id        VARCHAR NOT NULL,
    replies           BIGINT NOT NULL,
    messages          BIGINT NOT NULL,
    first_at          TIMESTAMPTZ NOT NULL,
    last_at           TIMESTAMPTZ NOT NULL,
    example_source    VARCHAR NOT NULL, -- the cluster's earliest reply
    example_source_id VARCHAR NOT NULL,
    example_seq       INTEGER NOT NULL,
    PRIMARY KEY (department_id, cluster_id)
);
