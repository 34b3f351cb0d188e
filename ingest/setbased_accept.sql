-- The accepted rows of a file read set-based, before duplicates: the rows
-- _fast_rows found ok and the rows the row path's code accepted (_fast_go,
-- masked and hashed in Go). A view, read once by each statement of
-- setbased_stage.sql, so the rows are not copied once more. Then
-- _fast_dups: each accepted row whose message id an earlier accepted row
-- already has, as stageRows rejects it.

CREATE OR REPLACE TEMP VIEW _fast_acc AS
SELECT n, source_id, channel, region_code, department_id, category, kind, title, body, author,
    posted, replied, reply_body, reply_department_id, closed, status, rating, rated, likes, dislikes, row_hash
FROM _fast_rows WHERE ok
UNION ALL
SELECT n, source_id, channel, region_code, department_id, category, kind, title, body, author,
    posted, replied, reply_body, reply_department_id, closed, status, rating, rated, likes, dislikes, row_hash
FROM _fast_go;

CREATE OR REPLACE TEMP TABLE _fast_dups AS
SELECT n, source_id, first_n FROM (
    SELECT n, source_id, min(n) OVER (PARTITION BY source_id) AS first_n FROM _fast_acc)
WHERE n <> first_n;
