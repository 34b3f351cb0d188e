-- Regions and departments whose name matches a search ($1: the query's
-- FindKey, never empty): each entity's Chinese and English names are put
-- in the same normal form as the query (find.go substitutes its suffix
-- patterns for ZH_SUFFIX and EN_SUFFIX, so the rule is written once), and
-- the entity matches exactly (or by its code), by prefix or by containing
-- the query. Best first: exact, prefix, contains; then provinces, cities,
-- counties, departments; then the most messages (all years computed); then
-- by id, so the order never depends on the plan. $2: at most this many.
WITH entities AS (
    SELECT region_code AS id, level, coalesce(jurisdiction, 'CN') AS jurisdiction,
           name, coalesce(name_en, name) AS name_en, parent_code AS up
    FROM regions
    UNION ALL
    SELECT department_id, 'department', coalesce(jurisdiction, 'CN'),
           name, coalesce(name_en, name), region_code
    FROM departments
),
keyed AS (
    SELECT *,
        lower(trim(regexp_replace(regexp_replace(regexp_replace(trim(name), '\s+', ' ', 'g'),
            'ZH_SUFFIX', '\1'), 'EN_SUFFIX', '\1'))) AS k_zh,
        lower(trim(regexp_replace(regexp_replace(regexp_replace(trim(name_en), '\s+', ' ', 'g'),
            'ZH_SUFFIX', '\1'), 'EN_SUFFIX', '\1'))) AS k_en
    FROM entities
),
matched AS (
    SELECT *,
        CASE WHEN k_zh = $1 OR k_en = $1 OR lower(id) = $1 THEN 0
             WHEN starts_with(k_zh, $1) OR starts_with(k_en, $1) THEN 1
             ELSE 2 END AS how
    FROM keyed
    WHERE contains(k_zh, $1) OR contains(k_en, $1) OR lower(id) = $1
),
counted AS (
    SELECT level, entity_id, sum(received) AS messages
    FROM metrics
    WHERE period_kind = 'year' AND entity_id IN (SELECT id FROM matched)
    GROUP BY level, entity_id
)
SELECT m.id, m.level, m.jurisdiction, m.name, m.name_en, m.how, coalesce(c.messages, 0),
       p1.region_code, p1.name, coalesce(p1.name_en, p1.name),
       p2.region_code, p2.name, coalesce(p2.name_en, p2.name),
       p3.region_code, p3.name, coalesce(p3.name_en, p3.name)
FROM matched m
LEFT JOIN counted c ON c.level = m.level AND c.entity_id = m.id
LEFT JOIN regions p1 ON p1.region_code = m.up
LEFT JOIN regions p2 ON p2.region_code = p1.parent_code
LEFT JOIN regions p3 ON p3.region_code = p2.parent_code
ORDER BY m.how,
    CASE m.level WHEN 'province' THEN 0 WHEN 'city' THEN 1 WHEN 'county' THEN 2 ELSE 3 END,
    coalesce(c.messages, 0) DESC, m.id
LIMIT $2
