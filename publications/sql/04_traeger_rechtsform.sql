-- 04_traeger_rechtsform: networks with survey answers in census year $year by kind and by legal
-- form of their host (every category of the questionnaire, also empty ones), each with its total.
-- Parameters: $year. Reads: pub.network_answers, pub.vocabulary (host_types, legal_forms).
WITH answers AS (SELECT host_type, host_legal_form FROM pub.network_answers WHERE census_year = $year),
items AS (
    SELECT 'Art des Trägers' AS section, 1 AS s, label, position
    FROM pub.vocabulary WHERE vocabulary = 'host_types'
    UNION ALL
    SELECT 'Rechtsform des Trägers', 2, label, position
    FROM pub.vocabulary WHERE vocabulary = 'legal_forms'
),
counts AS (
    SELECT i.section, i.s, i.label, i.position,
           (SELECT count(*) FROM answers a
            WHERE (i.s = 1 AND a.host_type = i.label) OR (i.s = 2 AND a.host_legal_form = i.label))
           AS networks
    FROM items AS i
),
total AS (SELECT count(*) AS networks FROM answers),
with_total AS (
    SELECT section, s, label, position, networks FROM counts
    UNION ALL
    SELECT section, s, 'Insgesamt', 999, (SELECT networks FROM total)
    FROM (SELECT DISTINCT section, s FROM items)
)
SELECT w.section, w.label AS category, w.networks::BIGINT AS networks,
       ROUND(100.0 * w.networks / NULLIF(t.networks, 0), 1)::DOUBLE AS share_percent
FROM with_total AS w CROSS JOIN total AS t
ORDER BY w.s, w.position
