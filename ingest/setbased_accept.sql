-- The accepted rows of a file read set-based, before duplicates: the rows
-- _fast_rows found ok, their labels masked (_fast_mask, made by
-- internal/redact in Go from the distinct labels) and hashed as rowHash
-- hashes a Record, and the rows the row path's code accepted (_fast_go,
-- masked and hashed in Go). Then _fast_dups: each accepted row whose
-- message id an earlier accepted row already has, as stageRows rejects it.

CREATE OR REPLACE TEMP MACRO _fh(v) AS concat(strlen(coalesce(v, '')), ':', coalesce(v, ''));

CREATE OR REPLACE TABLE _fast_acc AS
WITH m AS (
    SELECT r.* REPLACE (
            coalesce(m1.m, r.channel) AS channel, coalesce(m2.m, r.region_code) AS region_code,
            coalesce(m3.m, r.department_id) AS department_id, coalesce(m4.m, r.category) AS category,
            coalesce(m5.m, r.kind) AS kind)
    FROM _fast_rows r
    LEFT JOIN _fast_mask m1 ON m1.v = r.channel
    LEFT JOIN _fast_mask m2 ON m2.v = r.region_code
    LEFT JOIN _fast_mask m3 ON m3.v = r.department_id
    LEFT JOIN _fast_mask m4 ON m4.v = r.category
    LEFT JOIN _fast_mask m5 ON m5.v = r.kind
    WHERE r.ok
)
SELECT n, source_id, channel, region_code, department_id, category, kind, title, body, author,
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
FROM m
UNION ALL
SELECT n, source_id, channel, region_code, department_id, category, kind, title, body, author,
    posted, replied, reply_body, reply_department_id, closed, status, rating, rated, likes, dislikes, row_hash
FROM _fast_go;

CREATE OR REPLACE TABLE _fast_dups AS
SELECT n, source_id, first_n FROM (
    SELECT n, source_id, min(n) OVER (PARTITION BY source_id) AS first_n FROM _fast_acc)
WHERE n <> first_n;
