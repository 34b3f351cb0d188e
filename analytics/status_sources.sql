-- Every source known to the sources table, the runs or the messages, with
-- its counts: messages (and deleted ones), runs (and the end of the last
-- successful one) and rejected rows.
WITH msg AS (
	SELECT source, count(*) AS n, count(*) FILTER (WHERE status = 'deleted') AS deleted FROM messages GROUP BY source
), rn AS (
	SELECT source, count(*) AS n, max(finished_at) FILTER (WHERE status = 'ok') AS last_ok FROM runs GROUP BY source
), rj AS (
	SELECT source, count(*) AS n FROM rejects GROUP BY source
), names AS (
	SELECT name FROM sources UNION SELECT source FROM rn UNION SELECT source FROM msg
)
SELECT names.name, coalesce(s.profile, ''), coalesce(s.time_zone, ''), coalesce(msg.n, 0), coalesce(msg.deleted, 0),
	rn.last_ok, coalesce(rn.n, 0), coalesce(rj.n, 0)
FROM names
LEFT JOIN sources s ON s.name = names.name
LEFT JOIN msg ON msg.source = names.name
LEFT JOIN rn ON rn.source = names.name
LEFT JOIN rj ON rj.source = names.name
ORDER BY names.name
