-- The statements of RefreshReplyQuality (replyquality.go), each under its
-- name. A reply's group is the set its template clusters are found in: its
-- department, or, for a reply of no department (neither the reply nor its
-- message names one), the replies of no department of its source. A group
-- is named by two columns, grp_department and grp_source (NULL but for the
-- replies of no department).

-- name: stale
-- The department replies to classify: no row yet, texts changed, another
-- substance version, or another department. ?1 the run (0: all messages),
-- ?2 the version.
SELECT source, source_id, seq, department_id, body_hash, message, reply FROM (
    SELECT r.source, r.source_id, r.seq, coalesce(r.department_id, m.department_id) AS department_id,
        md5(concat_ws(chr(0), coalesce(m.title, ''), coalesce(m.body, ''), coalesce(r.body, ''))) AS body_hash,
        coalesce(m.title, '') || chr(10) || coalesce(m.body, '') AS message, coalesce(r.body, '') AS reply,
        q.source AS q_source, q.version AS q_version, q.body_hash AS q_hash, q.department_id AS q_department
    FROM replies r JOIN messages m USING (source, source_id)
    LEFT JOIN reply_quality q USING (source, source_id, seq)
    WHERE r.kind IN ('official', 'follow_up') AND (? = 0 OR m.last_seen_run = ?))
WHERE q_source IS NULL OR q_version <> ? OR q_hash <> body_hash OR q_department IS DISTINCT FROM department_id;

-- name: gone
-- Rows whose reply is no longer a department reply (a message loaded
-- again with fewer replies, or a reply that became a citizen's).
CREATE OR REPLACE TABLE _stage_rq_gone AS
SELECT q.source, q.source_id, q.seq, q.department_id AS grp_department,
    CASE WHEN q.department_id IS NULL THEN q.source END AS grp_source
FROM reply_quality q
WHERE (? = 0 OR EXISTS (SELECT 1 FROM messages m
        WHERE m.source = q.source AND m.source_id = q.source_id AND m.last_seen_run = ?))
    AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.source = q.source AND r.source_id = q.source_id AND r.seq = q.seq
        AND r.kind IN ('official', 'follow_up'));

-- name: groups
-- The groups to cluster again: those of the classified replies, the ones
-- they left, and those that lost a reply.
CREATE OR REPLACE TABLE _stage_rq_groups AS
SELECT department_id AS grp_department, CASE WHEN department_id IS NULL THEN source END AS grp_source
FROM _stage_rq_classified
UNION
SELECT q.department_id, CASE WHEN q.department_id IS NULL THEN q.source END FROM reply_quality q
    JOIN _stage_rq_classified s USING (source, source_id, seq)
UNION
SELECT grp_department, grp_source FROM _stage_rq_gone;

-- name: members
-- Every department reply of those groups, each group's in the order its
-- clusters are named by (earliest reply first): the classified ones as
-- just staged, the others as stored. fresh says which is which; the old_*
-- columns are what is stored, so that unchanged rows are not written.
WITH cand AS (
    SELECT source, source_id, seq, department_id, body_hash, ? AS version, text_class, reason, core_chars,
        evidence, relevance, simhash, true AS fresh, NULL AS old_class, NULL AS old_cluster, NULL AS old_size
    FROM _stage_rq_classified
    UNION ALL
    SELECT q.source, q.source_id, q.seq, q.department_id, q.body_hash, q.version, q.text_class,
        CASE WHEN q.class = 'template' THEN NULL ELSE q.reason END, q.core_chars,
        q.evidence, q.relevance, q.simhash, false, q.class, q.cluster_id, q.cluster_size
    FROM reply_quality q
    WHERE NOT EXISTS (SELECT 1 FROM _stage_rq_classified s
        WHERE s.source = q.source AND s.source_id = q.source_id AND s.seq = q.seq)
)
SELECT c.source, c.source_id, c.seq, c.department_id, c.body_hash, c.version, c.text_class, c.reason,
    c.core_chars, c.evidence, c.relevance, c.simhash, c.fresh, c.old_class, c.old_cluster, c.old_size
FROM (SELECT *, CASE WHEN department_id IS NULL THEN source END AS grp_source FROM cand) c
JOIN _stage_rq_groups g
    ON g.grp_department IS NOT DISTINCT FROM c.department_id AND g.grp_source IS NOT DISTINCT FROM c.grp_source
JOIN replies r USING (source, source_id, seq)
WHERE r.kind IN ('official', 'follow_up')
ORDER BY c.department_id NULLS LAST, c.grp_source, r.replied_at, c.source, c.source_id, c.seq;

-- name: write
-- One transaction: the rows written again and the rows gone leave, the
-- new ones come in.
DELETE FROM reply_quality q WHERE EXISTS (SELECT 1 FROM _stage_rq_final f
    WHERE f.source = q.source AND f.source_id = q.source_id AND f.seq = q.seq);
DELETE FROM reply_quality q WHERE EXISTS (SELECT 1 FROM _stage_rq_gone g
    WHERE g.source = q.source AND g.source_id = q.source_id AND g.seq = q.seq);
INSERT INTO reply_quality (source, source_id, seq, department_id, body_hash, version, text_class, class, reason,
    core_chars, evidence, relevance, simhash, cluster_id, cluster_size)
SELECT source, source_id, seq, department_id, body_hash, version, text_class, class, reason,
    core_chars, evidence, relevance, simhash, cluster_id, cluster_size FROM _stage_rq_final;
