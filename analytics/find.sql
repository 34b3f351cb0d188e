-- The regions and departments a search may find ($1: the query's FindKey,
-- never empty), each with the regions above it and its messages in every
-- year computed; find.go puts their names in normal form, keeps those that
-- match and ranks them. A name's normal form is a piece of the name
-- lower-cased (reference lists write ASCII letters and single spaces; a
-- name with full-width letters or a run of spaces is found by its other
-- name or code), so only names containing the query can match, and the
-- others are never read out: CANDIDATE(x) is contains(lower(x), $1), or
-- contains(x, $1) when the query has no letter with a case (Chinese), as
-- lower() of 65,000 Chinese names would take most of a search's time. A
-- code matches whole, in any case.
--
-- The normal form is also a prefix of the name lower-cased, so a name that
-- does not start with the query can at best contain it: those come last,
-- in the order find.go ranks matches alike (LEVELS, the levels in order;
-- then most messages; then id), so that it stops reading once it has
-- enough (a query in most names, 区, has tens of thousands of candidates).
WITH entities AS (
    SELECT region_code AS id, level, coalesce(jurisdiction, 'CN') AS jurisdiction,
           name, coalesce(name_en, name) AS name_en, parent_code AS up
    FROM regions
    UNION ALL
    SELECT department_id, 'department', coalesce(jurisdiction, 'CN'),
           name, coalesce(name_en, name), region_code
    FROM departments
),
candidates AS (
    SELECT * FROM entities
    WHERE CANDIDATE(name) OR CANDIDATE(name_en) OR lower(id) = $1
),
counted AS (
    SELECT level, entity_id, sum(received) AS messages
    FROM metrics
    WHERE period_kind = 'year'
    GROUP BY level, entity_id
)
SELECT starts_with(lower(trim(m.name)), $1) OR starts_with(lower(trim(m.name_en)), $1) OR lower(m.id) = $1 AS head,
       m.id, m.level, m.jurisdiction, m.name, m.name_en, coalesce(c.messages, 0),
       p1.region_code, p1.name, coalesce(p1.name_en, p1.name),
       p2.region_code, p2.name, coalesce(p2.name_en, p2.name),
       p3.region_code, p3.name, coalesce(p3.name_en, p3.name)
FROM candidates m
LEFT JOIN counted c ON c.level = m.level AND c.entity_id = m.id
LEFT JOIN regions p1 ON p1.region_code = m.up
LEFT JOIN regions p2 ON p2.region_code = p1.parent_code
LEFT JOIN regions p3 ON p3.region_code = p2.parent_code
ORDER BY head DESC, list_position(LEVELS, m.level), coalesce(c.messages, 0) DESC, m.id
