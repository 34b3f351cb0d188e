-- Classify the rows of a file read set-based (_fast_flat: n, row_size and
-- the flat fields as text) into _fast_rows: for each row whether it is
-- certainly accepted (ok), and its values read as the row path reads them
-- (tabular.go, record.go), its labels masked (_fast_mask, made by
-- internal/redact in Go from the distinct labels, as maskLabels masks
-- them) and hashed as rowHash hashes a Record. A row that is not ok is not
-- necessarily rejected: it goes through the row path's own code, which
-- gives the reason or accepts it. So every test below may be stricter than
-- the row path's, never looser. Parameters come from _fast_params (one
-- row); the macros from setbased_macros.sql.

CREATE OR REPLACE TEMP TABLE _fast_rows AS
WITH t AS (
    SELECT n, row_size,
        _ftrim(coalesce(source_id, '')) AS source_id, _ftrim(coalesce(channel, '')) AS channel, _ftrim(coalesce(region_code, '')) AS region_code,
        _ftrim(coalesce(department_id, '')) AS department_id, _ftrim(coalesce(category, '')) AS category, _ftrim(coalesce(kind, '')) AS kind,
        _ftrim(coalesce(title, '')) AS title, _ftrim(coalesce(body, '')) AS body, _ftrim(coalesce(author, '')) AS author,
        _ftrim(coalesce(posted_at, '')) AS posted_at, _ftrim(coalesce(first_reply_at, '')) AS first_reply_at, _ftrim(coalesce(reply_body, '')) AS reply_body,
        _ftrim(coalesce(closed_at, '')) AS closed_at, _ftrim(coalesce(status, '')) AS status, _ftrim(coalesce(rating, '')) AS rating,
        _ftrim(coalesce(rated_at, '')) AS rated_at, _ftrim(coalesce(likes, '')) AS likes, _ftrim(coalesce(dislikes, '')) AS dislikes
    FROM _fast_flat
), f AS (
    SELECT n, row_size, _fnull(source_id) AS source_id, _fnull(channel) AS channel, _fnull(region_code) AS region_code,
        _fnull(department_id) AS department_id, _fnull(category) AS category, _fnull(kind) AS kind,
        _fnull(title) AS title, _fnull(body) AS body, _fnull(author) AS author,
        _fnull(posted_at) AS posted_at, _fnull(first_reply_at) AS first_reply_at, _fnull(reply_body) AS reply_body,
        _fnull(closed_at) AS closed_at, _fnull(status) AS status, _fnull(rating) AS rating,
        _fnull(rated_at) AS rated_at, _fnull(likes) AS likes, _fnull(dislikes) AS dislikes
    FROM t
), p AS (
    SELECT f.*,
        _ftime(posted_at) AS posted, _ftime(first_reply_at) AS replied, _ftime(closed_at) AS closed,
        CASE WHEN rating <> '' THEN _ftime(rated_at) END AS rated_given,
        CASE rating WHEN '满意' THEN 'satisfied' WHEN '基本满意' THEN 'basic' WHEN '不满意' THEN 'unsatisfied'
            WHEN 'satisfied' THEN 'satisfied' WHEN 'basic' THEN 'basic' WHEN 'unsatisfied' THEN 'unsatisfied' END AS rating_v,
        CASE WHEN status IN ('待回复', '未回复') THEN 'open' WHEN status = '已回复' THEN 'replied'
            WHEN status = '已办结' THEN 'closed' WHEN status = '已删除' THEN 'deleted'
            WHEN regexp_full_match(status, '[A-Za-z]+') AND lower(status) IN ('open', 'replied', 'closed', 'deleted') THEN lower(status)
            END AS status_v,
        CASE WHEN regexp_full_match(likes, '\d{1,9}(\.0)?') THEN CAST(regexp_replace(likes, '\.0$', '') AS INTEGER) END AS likes_v,
        CASE WHEN regexp_full_match(dislikes, '\d{1,9}(\.0)?') THEN CAST(regexp_replace(dislikes, '\.0$', '') AS INTEGER) END AS dislikes_v,
        latest, short_max, long_max, row_max
    FROM f, _fast_params
), v AS (
    SELECT p.*, coalesce(rated_given, replied, posted) AS rated FROM p
), c AS (
SELECT n, source_id, channel, region_code, department_id, category, kind, title, body, author,
    posted, replied, reply_body, closed, status_v AS status, rating_v AS rating,
    CASE WHEN rating_v IS NOT NULL THEN rated END AS rated, likes_v AS likes, dislikes_v AS dislikes,
    coalesce(
        source_id <> '' AND posted IS NOT NULL
        AND posted >= TIMESTAMPTZ '1990-01-02 00:00:00+00' AND posted <= latest
        AND row_size <= row_max
        AND greatest(strlen(source_id), strlen(channel), strlen(region_code), strlen(department_id), strlen(category),
                     strlen(kind), strlen(title), strlen(author), strlen(status)) <= short_max
        AND greatest(strlen(body), strlen(reply_body)) <= long_max
        AND (first_reply_at = '' OR (replied IS NOT NULL AND replied >= posted AND replied <= latest))
        AND (closed_at = '' OR (closed IS NOT NULL AND closed >= posted AND closed <= latest))
        AND (rating = '' OR (rating_v IS NOT NULL AND (rated_at = '' OR rated_given IS NOT NULL)
                             AND rated >= posted AND rated <= latest))
        AND (status = '' OR status_v IS NOT NULL)
        AND (likes = '' OR likes_v IS NOT NULL) AND (dislikes = '' OR dislikes_v IS NOT NULL)
        AND _fsteady(posted) AND _fsteady(replied) AND _fsteady(closed) AND _fsteady(rated_given),
    false) AS ok
FROM v
), m AS (
    SELECT r.* REPLACE (
            coalesce(m1.m, r.channel) AS channel, coalesce(m2.m, r.region_code) AS region_code,
            coalesce(m3.m, r.department_id) AS department_id, coalesce(m4.m, r.category) AS category,
            coalesce(m5.m, r.kind) AS kind)
    FROM c r
    LEFT JOIN _fast_mask m1 ON m1.v = r.channel
    LEFT JOIN _fast_mask m2 ON m2.v = r.region_code
    LEFT JOIN _fast_mask m3 ON m3.v = r.department_id
    LEFT JOIN _fast_mask m4 ON m4.v = r.category
    LEFT JOIN _fast_mask m5 ON m5.v = r.kind
)
SELECT n, ok, source_id, channel, region_code, department_id, category, kind, title, body, author,
    posted, replied, reply_body, department_id AS reply_department_id, closed,
    coalesce(m.status, CASE WHEN closed IS NOT NULL THEN 'closed' WHEN replied IS NOT NULL THEN 'replied' ELSE 'open' END) AS status,
    rating, rated, likes, dislikes,
    left(sha256(concat(
        _fh(source_id), _fh(channel), _fh(region_code), _fh(department_id), _fh(category), _fh(kind),
        _fh(title), _fh(body), _fh(author), _fh(CAST(epoch_us(posted) AS VARCHAR)), _fh(CAST(epoch_us(closed) AS VARCHAR)),
        _fh(m.status), _fh(CAST(likes AS VARCHAR)), _fh(CAST(dislikes AS VARCHAR)),
        CASE WHEN replied IS NULL THEN _fh('0')
            ELSE concat(_fh('1'), _fh('1'), _fh(CAST(epoch_us(replied) AS VARCHAR)), _fh(department_id), _fh(reply_body), _fh('official')) END,
        CASE WHEN rating IS NULL THEN _fh('0')
            ELSE concat(_fh('1'), _fh('1'), _fh(CAST(epoch_us(rated) AS VARCHAR)), _fh(rating)) END
    )), 32) AS row_hash
FROM m;
