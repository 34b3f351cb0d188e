-- Classify the rows of a file read set-based (_fast_flat: n, row_size and
-- the flat fields as text) into _fast_rows: for each row whether it is
-- certainly accepted (ok), and its values read as the row path reads them
-- (tabular.go, record.go). A row that is not ok is not necessarily
-- rejected: it goes through the row path's own code, which gives the reason
-- or accepts it. So every test below may be stricter than the row path's,
-- never looser. Parameters come from _fast_params (one row).

-- The row path's strings.TrimSpace, then "null" in any case is empty. The
-- trim with a set of characters is slow, so it runs only on the values
-- that start or end with one of them.
CREATE OR REPLACE TEMP MACRO _ftrim(v) AS CASE
    WHEN regexp_matches(v, '^[\t\n\x0B\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]|[\t\n\x0B\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]$')
        THEN trim(v, (SELECT ws FROM _fast_params)) ELSE v END;
CREATE OR REPLACE TEMP MACRO _fnorm(v) AS
    CASE WHEN strlen(_ftrim(coalesce(v, ''))) = 4 AND lower(_ftrim(coalesce(v, ''))) = 'null' THEN '' ELSE _ftrim(coalesce(v, '')) END;

-- A time in one of the forms this SQL reads exactly as ParseTime does (the
-- first of CommonLayouts that fits): RFC 3339 with Z or an offset, and
-- zone-less 2006-01-02T15:04:05, 2006-01-02 15:04:05, 2006-01-02 15:04
-- and 2006-01-02 in the source's zone, which is the session's TimeZone
-- here (a constant zone: ICU is not asked row by row). NULL for '' and for
-- anything else (another form, a fraction of a second, an impossible date).
CREATE OR REPLACE TEMP MACRO _ftime(v) AS CASE
    WHEN regexp_full_match(v, '\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z')
        THEN to_timestamp(epoch(try_strptime(left(v, 19), '%Y-%m-%dT%H:%M:%S')))
    WHEN regexp_full_match(v, '\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]([01]\d|2[0-3]):[0-5]\d')
        THEN to_timestamp(epoch(try_strptime(left(v, 19), '%Y-%m-%dT%H:%M:%S'))
            - (CASE WHEN substr(v, 20, 1) = '-' THEN -1 ELSE 1 END)
              * (3600 * CAST(substr(v, 21, 2) AS INTEGER) + 60 * CAST(substr(v, 24, 2) AS INTEGER)))
    WHEN regexp_full_match(v, '\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}')
        THEN CAST(try_strptime(replace(v, 'T', ' '), '%Y-%m-%d %H:%M:%S') AS TIMESTAMPTZ)
    WHEN regexp_full_match(v, '\d{4}-\d{2}-\d{2} \d{2}:\d{2}')
        THEN CAST(try_strptime(v, '%Y-%m-%d %H:%M') AS TIMESTAMPTZ)
    WHEN regexp_full_match(v, '\d{4}-\d{2}-\d{2}')
        THEN CAST(try_strptime(v, '%Y-%m-%d') AS TIMESTAMPTZ)
    END;

-- Whether t is more than a day from any change of the zone's offset
-- (_funsteady, made by Go from its time zone database, says whether a day
-- is near one): a local time near a daylight-saving change (one that does
-- not exist, or exists twice) is left to the row path, whose choice is Go's.
CREATE OR REPLACE TEMP MACRO _fsteady(t) AS t IS NULL OR NOT _funsteady(CAST(floor(epoch(t) / 86400) AS BIGINT));

CREATE OR REPLACE TABLE _fast_rows AS
WITH f AS (
    SELECT n, row_size,
        _fnorm(source_id) AS source_id, _fnorm(channel) AS channel, _fnorm(region_code) AS region_code,
        _fnorm(department_id) AS department_id, _fnorm(category) AS category, _fnorm(kind) AS kind,
        _fnorm(title) AS title, _fnorm(body) AS body, _fnorm(author) AS author,
        _fnorm(posted_at) AS posted_at, _fnorm(first_reply_at) AS first_reply_at, _fnorm(reply_body) AS reply_body,
        _fnorm(closed_at) AS closed_at, _fnorm(status) AS status, _fnorm(rating) AS rating,
        _fnorm(rated_at) AS rated_at, _fnorm(likes) AS likes, _fnorm(dislikes) AS dislikes
    FROM _fast_flat
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
)
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
FROM v;
