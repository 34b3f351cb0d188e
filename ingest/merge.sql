-- Merge the staged rows of one run into the store. Runs inside the run's
-- transaction; the Go side binds nothing here: the staging tables carry the
-- run id and source. Order matters: classify first, then write.

CREATE OR REPLACE TEMP TABLE _actions AS
SELECT s.source, s.source_id,
       CASE WHEN m.source_id IS NULL THEN 'insert'
            WHEN m.row_hash <> s.row_hash OR m.status = 'deleted' THEN 'update'
            ELSE 'unchanged' END AS action
FROM _stage_messages s
LEFT JOIN messages m ON m.source = s.source AND m.source_id = s.source_id;

INSERT INTO messages (source, source_id, channel, region_code, department_id, category, kind,
    title, body, author_key, posted_at, first_reply_at, closed_at, status, rating, rated_at,
    likes, dislikes, first_seen_run, last_seen_run, deleted_detected_at, row_hash)
SELECT s.source, s.source_id, s.channel, s.region_code, s.department_id, s.category, s.kind,
    s.title, s.body, s.author_key, s.posted_at, s.first_reply_at, s.closed_at, s.status, s.rating, s.rated_at,
    s.likes, s.dislikes, s.run_id, s.run_id, NULL, s.row_hash
FROM _stage_messages s
JOIN _actions a USING (source, source_id)
WHERE a.action = 'insert';

UPDATE messages AS m SET
    channel = s.channel, region_code = s.region_code, department_id = s.department_id,
    category = s.category, kind = s.kind, title = s.title, body = s.body, author_key = s.author_key,
    posted_at = s.posted_at, first_reply_at = s.first_reply_at, closed_at = s.closed_at,
    status = s.status, rating = s.rating, rated_at = s.rated_at, likes = s.likes, dislikes = s.dislikes,
    last_seen_run = s.run_id, deleted_detected_at = NULL, row_hash = s.row_hash
FROM _stage_messages s, _actions a
WHERE m.source = s.source AND m.source_id = s.source_id
  AND a.source = s.source AND a.source_id = s.source_id AND a.action = 'update';

UPDATE messages AS m SET last_seen_run = s.run_id
FROM _stage_messages s, _actions a
WHERE m.source = s.source AND m.source_id = s.source_id
  AND a.source = s.source AND a.source_id = s.source_id AND a.action = 'unchanged';

-- Replies may be corrected by a later file; ratings are history and only grow.
-- An unchanged message has unchanged replies and ratings: skip them.
INSERT INTO replies BY NAME
SELECT r.source, r.source_id, r.seq, r.replied_at, r.department_id, r.body, r.kind
FROM _stage_replies r JOIN _actions a USING (source, source_id)
WHERE a.action <> 'unchanged'
ON CONFLICT (source, source_id, seq) DO UPDATE SET
    replied_at = excluded.replied_at, department_id = excluded.department_id,
    body = excluded.body, kind = excluded.kind;

INSERT INTO ratings BY NAME
SELECT r.source, r.source_id, r.seq, r.rated_at, r.rating
FROM _stage_ratings r JOIN _actions a USING (source, source_id)
WHERE a.action <> 'unchanged'
ON CONFLICT (source, source_id, seq) DO NOTHING;
