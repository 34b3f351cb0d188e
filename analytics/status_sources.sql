-- Every source known to the sources table, the runs or the messages, with
-- its counts: messages (and deleted ones), runs (and the end of the last
-- successful one) and rejected rows; its coverage: how many messages name
-- a region the reference knows and a department it knows (the rest are
-- 未识别 in the metrics, metrics.sql's _unattributed), and its data range,
-- the first and last message's posting time. Deleted messages count too:
-- they are in the metrics' received.
WITH msg AS (
	SELECT m.source, count(*) AS n, count(*) FILTER (WHERE m.status = 'deleted') AS deleted,
		count(r.region_code) AS region_found, count(d.department_id) AS department_found,
		min(m.posted_at) AS first_at, max(m.posted_at) AS last_at
	FROM messages m
	LEFT JOIN regions r ON r.region_code = m.region_code
	LEFT JOIN departments d ON d.department_id = m.department_id
	GROUP BY m.source
), rn AS (
	SELECT source, count(*) AS n, max(finished_at) FILTER (WHERE status = 'ok') AS last_ok FROM runs GROUP BY source
), rj AS (
	SELECT source, count(*) AS n FROM rejects GROUP BY source
), names AS (
	SELECT name FROM sources UNION SELECT source FROM rn UNION SELECT source FROM msg
)
SELECT names.name, coalesce(s.profile, ''), coalesce(s.time_zone, ''), coalesce(msg.n, 0), coalesce(msg.deleted, 0),
	rn.last_ok, coalesce(rn.n, 0), coalesce(rj.n, 0),
	coalesce(msg.region_found, 0), coalesce(msg.department_found, 0), msg.first_at, msg.last_at
FROM names
LEFT JOIN sources s ON s.name = names.name
LEFT JOIN msg ON msg.source = names.name
LEFT JOIN rn ON rn.source = names.name
LEFT JOIN rj ON rj.source = names.name
ORDER BY names.name
