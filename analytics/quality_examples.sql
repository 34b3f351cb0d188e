-- One reply of each class, the most telling of it, deterministically:
-- an acknowledgment, a forward or a template is the text sent most often
-- (the largest cluster, the shortest of the largest; its earliest reply); a
-- substantive reply is the one with the most kinds of evidence, then the
-- most relevant to its message, among cores short enough to read whole
-- (40 to 200 characters: a long real reply names people and places the
-- methodology page has no need to repeat). Ties go to the earliest reply,
-- then the key.
WITH ranked AS (
    SELECT q.*, rp.replied_at,
           row_number() OVER (PARTITION BY q.class ORDER BY
               CASE WHEN q.class = 'substantive' THEN bit_count(q.evidence) ELSE q.cluster_size END DESC,
               CASE WHEN q.class = 'substantive' THEN q.relevance ELSE 0 END DESC,
               q.core_chars,
               rp.replied_at, q.source, q.source_id, q.seq) AS nth
    FROM reply_quality q
    JOIN replies rp ON rp.source = q.source AND rp.source_id = q.source_id AND rp.seq = q.seq
    WHERE q.class <> 'substantive' OR q.core_chars BETWEEN 40 AND 200
)
SELECT r.class, coalesce(r.reason, ''), r.source, r.source_id, r.seq, r.evidence, r.relevance, r.cluster_size,
       coalesce(m.title, '') || chr(10) || coalesce(m.body, ''), coalesce(rp.body, '')
FROM ranked r
JOIN messages m ON m.source = r.source AND m.source_id = r.source_id
JOIN replies rp ON rp.source = r.source AND rp.source_id = r.source_id AND rp.seq = r.seq
WHERE r.nth = 1
ORDER BY list_position(['ack', 'forwarded', 'template', 'substantive'], r.class)
