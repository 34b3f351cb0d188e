-- Reply quality (issue 14): the substance of first answers and the
-- dialogue after them, per entity and period, and each department's
-- template clusters. analytics.Compute runs this after metrics.sql, in the
-- same transaction, once the stored message_facts hold every message's
-- facts: it reads them (whole, whichever way the computation went), the
-- macros, _params, _clocks and _periods metrics.sql made, and its rolling
-- windows (_fact_periods, always computed whole for the rolling kinds), so
-- a message belongs to the same periods and entities as in metrics.
-- Everything here is computed whole on every computation: reply_quality
-- changes after a load without any message changing.
--
-- It also needs _quality_params (min_template: substance.MinTemplate).
-- Results: _quality_metrics and _template_clusters.
--
-- Every reply, rating and message is taken as known at its source's as_of:
-- what came later is not counted, as in metrics.

-- Each source: does it record dialogue (a rating, or a follow-up by either
-- side, ever)? Does it name authors (a pseudonym, ever)? Does it give the
-- matter (a region and a category, ever), which a repeat must share? Where
-- not, the figures that need it are NULL with a reason, never 0: the
-- 智慧政务 file names authors but has no categories, so a repeat cannot be
-- seen in it, and "0 repeats" would be a claim it cannot support.
CREATE OR REPLACE TEMP TABLE _q_sources AS
SELECT c.source, c.jurisdiction, c.as_of,
       EXISTS (SELECT 1 FROM ratings r WHERE r.source = c.source)
       OR EXISTS (SELECT 1 FROM replies rp WHERE rp.source = c.source AND rp.kind IN ('follow_up', 'citizen_follow_up')) AS dialogue,
       EXISTS (SELECT 1 FROM messages m WHERE m.source = c.source AND coalesce(m.author_key, '') <> '') AS authors,
       EXISTS (SELECT 1 FROM messages m WHERE m.source = c.source AND m.region_code IS NOT NULL AND coalesce(m.category, '') <> '') AS matters
FROM _clocks c;

-- One row per message with facts (posted by its source's as_of), with
-- what every figure counts as 0/1 or a number.
CREATE OR REPLACE TEMP TABLE _q_msg AS
WITH rp AS (
    SELECT rp.source, rp.source_id,
           -- the first official reply: the lowest seq among those by as_of
           min(rp.seq) FILTER (WHERE rp.kind = 'official') AS first_seq,
           arg_min(rp.replied_at, rp.seq) FILTER (WHERE rp.kind = 'official') AS first_at,
           count(*) FILTER (WHERE rp.kind = 'citizen_follow_up') AS rounds,
           count(*) FILTER (WHERE rp.kind IN ('follow_up', 'citizen_follow_up')) AS follow_ups,
           max(rp.replied_at) FILTER (WHERE rp.kind = 'citizen_follow_up') AS last_citizen_at
    FROM replies rp JOIN _q_sources s ON s.source = rp.source
    WHERE rp.replied_at <= s.as_of
    GROUP BY rp.source, rp.source_id
), rt AS (
    -- ratings in the order given (seq): the first and the last
    SELECT r.source, r.source_id,
           arg_min(r.rating, r.seq) AS first_rating, arg_max(r.rating, r.seq) AS last_rating,
           arg_min(r.rated_at, r.seq) AS first_rated_at, arg_max(r.rated_at, r.seq) AS last_rated_at
    FROM ratings r JOIN _q_sources s ON s.source = r.source
    WHERE r.rated_at <= s.as_of
    GROUP BY r.source, r.source_id
), m AS (
    SELECT f.source, f.source_id, s.jurisdiction, msg.region_code, msg.department_id, f.posted_day,
           msg.status <> 'deleted' AS kept, f.is_mature, s.dialogue, s.authors, s.matters, s.as_of,
           msg.posted_at, msg.author_key, msg.category,
           rp.first_at, rp.rounds, rp.follow_ups, rp.last_citizen_at,
           q.class, q.cluster_size,
           rt.first_rating, rt.last_rating, rt.first_rated_at, rt.last_rated_at
    FROM message_facts f
    JOIN messages msg ON msg.source = f.source AND msg.source_id = f.source_id
    JOIN _q_sources s ON s.source = f.source
    LEFT JOIN rp ON rp.source = f.source AND rp.source_id = f.source_id
    LEFT JOIN reply_quality q ON q.source = rp.source AND q.source_id = rp.source_id AND q.seq = rp.first_seq
    LEFT JOIN rt ON rt.source = f.source AND rt.source_id = f.source_id
), x AS (
    SELECT m.*,
           -- the substance base: due, answered by as_of, and that answer
           -- classified (a reply ingest has not classified yet is not
           -- counted either way)
           kept AND is_mature AND first_at IS NOT NULL AND class IS NOT NULL AS in_base,
           kept AND first_at IS NOT NULL AS thread,
           -- repeats: see _q_repeats
           kept AND first_at IS NOT NULL AND authors AND matters AND coalesce(author_key, '') <> ''
               AND region_code IS NOT NULL AND coalesce(category, '') <> '' AS repeat_candidate
    FROM m
)
-- qid is only a join key: its values change nothing computed
SELECT row_number() OVER () AS qid,
       source, source_id, jurisdiction, region_code, department_id, posted_day, author_key, category, first_at, as_of,
       CAST(coalesce(dialogue, false) AS INTEGER) AS dlg_msgs, CAST(coalesce(authors, false) AS INTEGER) AS author_msgs,
       CAST(coalesce(authors AND matters, false) AS INTEGER) AS au_msgs,
       CAST(coalesce(in_base, false) AS INTEGER) AS base,
       CAST(coalesce(in_base AND class = 'substantive', false) AS INTEGER) AS substantive,
       CAST(coalesce(in_base AND class = 'ack', false) AS INTEGER) AS ack,
       CAST(coalesce(in_base AND class = 'forwarded', false) AS INTEGER) AS forwarded,
       CAST(coalesce(in_base AND class = 'template', false) AS INTEGER) AS template,
       CAST(coalesce(in_base AND cluster_size >= (SELECT min_template FROM _quality_params), false) AS INTEGER) AS reused,
       -- dialogue, counted for the sources that record it only
       CAST(coalesce(dialogue AND thread, false) AS INTEGER) AS threads,
       CAST(coalesce(dialogue AND thread AND follow_ups > 0, false) AS INTEGER) AS followed_up,
       CASE WHEN dialogue AND thread THEN rounds ELSE 0 END AS rounds,
       CAST(coalesce(dialogue AND thread AND first_rating IS NOT NULL, false) AS INTEGER) AS rated_first,
       CAST(coalesce(dialogue AND thread AND first_rating = 'satisfied', false) AS INTEGER) AS first_satisfied,
       CAST(coalesce(dialogue AND thread AND first_rating = 'basic', false) AS INTEGER) AS first_basic,
       CAST(coalesce(dialogue AND thread AND last_rating = 'satisfied', false) AS INTEGER) AS final_satisfied,
       CAST(coalesce(dialogue AND thread AND last_rating = 'basic', false) AS INTEGER) AS final_basic,
       CAST(coalesce(dialogue AND thread AND first_rating = 'unsatisfied', false) AS INTEGER) AS first_unsatisfied,
       CAST(coalesce(dialogue AND thread AND first_rating = 'unsatisfied' AND last_rating IN ('satisfied', 'basic'), false) AS INTEGER) AS turned,
       CASE WHEN dialogue AND thread AND first_rating = 'unsatisfied' AND last_rating IN ('satisfied', 'basic')
            THEN date_diff('second', first_rated_at, last_rated_at) / 3600.0 END AS turnaround_h,
       CAST(coalesce(dialogue AND thread AND last_citizen_at > first_rated_at, false) AS INTEGER) AS reopened,
       CAST(coalesce(repeat_candidate, false) AS INTEGER) AS repeat_base
FROM x;

-- A replied message is repeated when its author (the same pseudonym, of
-- the same source) posts another message of the same region and category
-- in the 90 × 24 hours after its first official reply (and by as_of). A
-- message with no region or no category is not counted (it can neither
-- repeat nor be repeated: an unknown matter is not the same matter, and a
-- repeat counts against the department).
-- Category is the whole category as stored, the finest the source gives.
CREATE OR REPLACE TEMP TABLE _q_repeats AS
SELECT DISTINCT a.qid
FROM _q_msg a
JOIN messages o ON o.source = a.source AND o.author_key = a.author_key
 AND o.region_code = a.region_code AND o.category = a.category AND o.source_id <> a.source_id
WHERE a.repeat_base = 1
  AND o.posted_at > a.first_at AND o.posted_at <= a.first_at + to_hours(24 * 90) AND o.posted_at <= a.as_of;

-- A message's periods: its calendar month, quarter and year (metrics.sql's
-- macros, on the same local posting day), and the rolling windows
-- metrics.sql placed it in.
CREATE OR REPLACE TEMP TABLE _q_periods AS
SELECT q.qid, k.period_kind, period_of(k.period_kind, q.posted_day) AS period
FROM _q_msg q CROSS JOIN _periods k
WHERE k.days IS NULL
UNION ALL
SELECT q.qid, fp.period_kind, fp.period
FROM _fact_periods fp
JOIN _facts f ON f.rowid = fp.mid
JOIN _q_msg q ON q.source = f.source AND q.source_id = f.source_id
WHERE fp.period_kind NOT IN ('month', 'quarter', 'year') AND fp.period NOT LIKE '%-prev';

-- Summed first by place and period (integer counts: the order of the sums
-- cannot change them), then over the entities each place counts for: the
-- same attribution as metrics.sql's _expanded (a region of a level, or the
-- '_unattributed' bucket of that level; the department; the nation).
-- TestQualityKeysAreMetricsKeys holds the two to the same rows.
CREATE OR REPLACE TEMP TABLE _q_cells AS
SELECT q.jurisdiction, q.region_code, q.department_id, p.period_kind, p.period,
       sum(q.dlg_msgs) AS dlg_msgs, sum(q.author_msgs) AS author_msgs, sum(q.au_msgs) AS au_msgs,
       sum(q.base) AS base, sum(q.substantive) AS substantive, sum(q.ack) AS ack, sum(q.forwarded) AS forwarded,
       sum(q.template) AS template, sum(q.reused) AS reused,
       sum(q.threads) AS threads, sum(q.followed_up) AS followed_up, sum(q.rounds) AS rounds,
       sum(q.rated_first) AS rated_first, sum(q.first_satisfied) AS first_satisfied, sum(q.first_basic) AS first_basic,
       sum(q.final_satisfied) AS final_satisfied, sum(q.final_basic) AS final_basic,
       sum(q.first_unsatisfied) AS first_unsatisfied, sum(q.turned) AS turned,
       sum(q.reopened) AS reopened, sum(q.repeat_base) AS repeat_base,
       count(r.qid) AS repeated,
       CAST(NULL AS DOUBLE) AS turnaround_h
FROM _q_msg q
JOIN _q_periods p USING (qid)
LEFT JOIN _q_repeats r USING (qid)
GROUP BY ALL
-- a median is not a sum: the turned threads' times join the cells one by
-- one (they are few), with no count
UNION ALL
SELECT q.jurisdiction, q.region_code, q.department_id, p.period_kind, p.period,
       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, q.turnaround_h
FROM _q_msg q
JOIN _q_periods p USING (qid)
WHERE q.turnaround_h IS NOT NULL;

CREATE OR REPLACE TEMP TABLE _quality_metrics AS
WITH c AS (
    -- attributed as metrics.sql's _expanded: by its _geo
    SELECT c.*, g.province, g.city, g.county FROM _q_cells c LEFT JOIN _geo g ON g.region_code = c.region_code
), e AS (
    SELECT 'national' AS level, jurisdiction AS entity_id, * FROM c
    UNION ALL SELECT 'province', coalesce(province, '_unattributed'), * FROM c
    UNION ALL SELECT 'city', coalesce(city, '_unattributed'), * FROM c
    UNION ALL SELECT 'county', coalesce(county, '_unattributed'), * FROM c
    UNION ALL SELECT 'department', coalesce(department_id, '_unattributed'), * FROM c
), a AS (
    SELECT jurisdiction, level, entity_id, period_kind, period,
           sum(dlg_msgs) AS dlg_msgs, sum(author_msgs) AS author_msgs, sum(au_msgs) AS au_msgs,
           sum(base) AS base, sum(substantive) AS substantive, sum(ack) AS ack, sum(forwarded) AS forwarded,
           sum(template) AS template, sum(reused) AS reused,
           sum(threads) AS threads, sum(followed_up) AS followed_up, sum(rounds) AS rounds,
           sum(rated_first) AS rated_first, sum(first_satisfied) AS first_satisfied, sum(first_basic) AS first_basic,
           sum(final_satisfied) AS final_satisfied, sum(final_basic) AS final_basic,
           sum(first_unsatisfied) AS first_unsatisfied, sum(turned) AS turned,
           median(turnaround_h) AS turnaround_median_h,
           sum(reopened) AS reopened, sum(repeat_base) AS repeat_base, sum(repeated) AS repeated
    FROM e
    GROUP BY jurisdiction, level, entity_id, period_kind, period
), k AS (
    SELECT a.*, p.z,
           -- counts are summed before w_basic weighs them, as satisfaction_rate's
           a.first_satisfied + p.w_basic * a.first_basic AS first_k,
           a.final_satisfied + p.w_basic * a.final_basic AS final_k,
           a.dlg_msgs > 0 AS dlg, a.au_msgs > 0 AS au
    FROM a CROSS JOIN _params p
)
SELECT jurisdiction, level, entity_id, period_kind, period,
       base, substantive, ack, forwarded, template, reused,
       substantive / nullif(base, 0) AS substantive_rate, wilson_lo(substantive, base, z) AS substantive_lo, wilson_hi(substantive, base, z) AS substantive_hi,
       reused / nullif(base, 0) AS template_share, wilson_lo(reused, base, z) AS template_lo, wilson_hi(reused, base, z) AS template_hi,
       forwarded / nullif(base, 0) AS forwarded_share, wilson_lo(forwarded, base, z) AS forwarded_lo, wilson_hi(forwarded, base, z) AS forwarded_hi,
       ack / nullif(base, 0) AS ack_share, wilson_lo(ack, base, z) AS ack_lo, wilson_hi(ack, base, z) AS ack_hi,
       CASE WHEN NOT dlg THEN 'source_records_no_dialogue' END AS dialogue_absent_reason,
       CASE WHEN dlg THEN threads END AS threads,
       CASE WHEN dlg THEN followed_up END AS followed_up,
       CASE WHEN dlg THEN rounds / nullif(threads, 0) END AS rounds_mean,
       CASE WHEN dlg THEN rated_first END AS rated_first,
       CASE WHEN dlg THEN first_k / nullif(rated_first, 0) END AS first_satisfaction_rate,
       CASE WHEN dlg THEN wilson_lo(first_k, rated_first, z) END AS first_satisfaction_lo,
       CASE WHEN dlg THEN wilson_hi(first_k, rated_first, z) END AS first_satisfaction_hi,
       CASE WHEN dlg THEN final_k / nullif(rated_first, 0) END AS final_satisfaction_rate,
       CASE WHEN dlg THEN wilson_lo(final_k, rated_first, z) END AS final_satisfaction_lo,
       CASE WHEN dlg THEN wilson_hi(final_k, rated_first, z) END AS final_satisfaction_hi,
       CASE WHEN dlg THEN first_unsatisfied END AS first_unsatisfied,
       CASE WHEN dlg THEN turned END AS turned,
       CASE WHEN dlg THEN turned / nullif(first_unsatisfied, 0) END AS turnaround_rate,
       CASE WHEN dlg THEN wilson_lo(turned, first_unsatisfied, z) END AS turnaround_lo,
       CASE WHEN dlg THEN wilson_hi(turned, first_unsatisfied, z) END AS turnaround_hi,
       CASE WHEN dlg THEN turnaround_median_h END AS turnaround_median_h,
       CASE WHEN dlg THEN reopened END AS reopened,
       CASE WHEN author_msgs = 0 THEN 'source_has_no_author' WHEN NOT au THEN 'source_records_no_category' END AS repeat_absent_reason,
       CASE WHEN au THEN repeat_base END AS repeat_base,
       CASE WHEN au THEN repeated END AS repeated,
       CASE WHEN au THEN repeated / nullif(repeat_base, 0) END AS repeat_rate,
       CASE WHEN au THEN wilson_lo(repeated, repeat_base, z) END AS repeat_lo,
       CASE WHEN au THEN wilson_hi(repeated, repeat_base, z) END AS repeat_hi
FROM k;

-- Each department's template clusters: near-identical replies (as ingest
-- clustered them) sent at least min_template times, over every reply
-- loaded (a cluster is a property of the texts, not of a period); the
-- example is the cluster's earliest reply, the one its id is named by.
CREATE OR REPLACE TEMP TABLE _template_clusters AS
WITH r AS (
    SELECT coalesce(q.department_id, '_unattributed') AS department_id, q.cluster_id,
           q.source, q.source_id, q.seq, rp.replied_at,
           row_number() OVER (PARTITION BY coalesce(q.department_id, '_unattributed'), q.cluster_id
                              ORDER BY rp.replied_at, q.source, q.source_id, q.seq) AS nth
    FROM reply_quality q
    JOIN replies rp ON rp.source = q.source AND rp.source_id = q.source_id AND rp.seq = q.seq
    WHERE q.cluster_size >= (SELECT min_template FROM _quality_params)
)
SELECT department_id, cluster_id, count(*) AS replies, count(DISTINCT (source, source_id)) AS messages,
       min(replied_at) AS first_at, max(replied_at) AS last_at,
       any_value(source) FILTER (WHERE nth = 1) AS example_source,
       any_value(source_id) FILTER (WHERE nth = 1) AS example_source_id,
       any_value(seq) FILTER (WHERE nth = 1) AS example_seq
FROM r
GROUP BY department_id, cluster_id;
