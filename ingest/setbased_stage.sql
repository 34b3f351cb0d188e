-- Stage a file read set-based: its accepted rows but the duplicates into
-- the run's staging tables, as stageRecord does one row at a time (a flat
-- row has at most its first reply and its latest rating), and its rejects.
-- The author's pseudonym is Pseudonym's HMAC-SHA256, written out with the
-- key's inner and outer pads from _fast_params.

INSERT INTO _stage_messages BY NAME
SELECT p.source, a.source_id, nullif(a.channel, '') AS channel, nullif(a.region_code, '') AS region_code,
    nullif(a.department_id, '') AS department_id, nullif(a.category, '') AS category, nullif(a.kind, '') AS kind,
    nullif(a.title, '') AS title, nullif(a.body, '') AS body,
    CASE WHEN a.author <> '' THEN 'u' || left(sha256(p.opad || unhex(sha256(
        p.ipad || encode(p.source) || '\x00'::BLOB || encode(a.author)))), 16) END AS author_key,
    a.posted AS posted_at, a.replied AS first_reply_at, a.closed AS closed_at, a.status, a.rating,
    a.rated AS rated_at, a.likes, a.dislikes, a.row_hash, p.run_id
FROM _fast_acc a, _fast_params p
WHERE a.n NOT IN (SELECT n FROM _fast_dups);

INSERT INTO _stage_replies BY NAME
SELECT p.source, a.source_id, 1 AS seq, a.replied AS replied_at, nullif(a.reply_department_id, '') AS department_id,
    nullif(a.reply_body, '') AS body, 'official' AS kind
FROM _fast_acc a, _fast_params p
WHERE a.replied IS NOT NULL AND a.n NOT IN (SELECT n FROM _fast_dups);

INSERT INTO _stage_ratings BY NAME
SELECT p.source, a.source_id, 1 AS seq, a.rated AS rated_at, a.rating
FROM _fast_acc a, _fast_params p
WHERE a.rating IS NOT NULL AND a.n NOT IN (SELECT n FROM _fast_dups);

INSERT INTO _stage_rejects BY NAME
SELECT p.run_id, p.source, r.n AS row_number, r.raw, r.reason
FROM _fast_rej r, _fast_params p
ORDER BY r.n;
