-- One message with its places, its source's time zone, deadline rule,
-- category kind (tree or plain names) and as_of, and its facts;
-- title and body are read up to ? characters (the first parameter).
SELECT coalesce(m.channel, ''), coalesce(m.region_code, ''), coalesce(r.name, ''), coalesce(r.name_en, ''),
	coalesce(up.name, ''), coalesce(up.name_en, ''),
	coalesce(m.department_id, ''), coalesce(d.name, ''), coalesce(d.name_en, ''), coalesce(m.category, ''), coalesce(m.kind, ''),
	coalesce(m.title, ''), left(coalesce(m.body, ''), ?), length(coalesce(m.body, '')), m.posted_at, m.first_reply_at, m.closed_at, m.status, m.likes, m.dislikes,
	m.deleted_detected_at, coalesce(s.time_zone, 'Asia/Shanghai'), coalesce(s.sla_days, 15), coalesce(s.workdays, true),
	coalesce(s.category_tree, true), s.as_of,
	f.source IS NOT NULL, f.deadline_at, coalesce(f.is_mature, false), coalesce(f.is_replied, false), coalesce(f.is_on_time, false)
FROM messages m
LEFT JOIN regions r ON r.region_code = m.region_code
LEFT JOIN regions up ON up.region_code = r.parent_code
LEFT JOIN departments d ON d.department_id = m.department_id
LEFT JOIN sources s ON s.name = m.source
LEFT JOIN message_facts f ON f.source = m.source AND f.source_id = m.source_id
WHERE m.source = ? AND m.source_id = ?
