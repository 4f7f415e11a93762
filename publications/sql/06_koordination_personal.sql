-- 06_koordination_personal: coordination office, paid staff (FTE) and volunteers of the networks
-- with answers in census year $year: size classes with totals, then quartiles and sums.
-- Parameters: $year. Reads: pub.network_answers.
WITH a AS (
    SELECT network_id, has_coordination_office, paid_staff_fte, volunteers
    FROM pub.network_answers WHERE census_year = $year
),
n AS (SELECT count(*) AS n FROM a),
classes AS (
    SELECT 'Koordinierungsstelle' AS section, 1 AS s, label, position, lo, hi, 'office' AS kind
    FROM (VALUES ('vorhanden', 1, 1, 1), ('nicht vorhanden', 2, 0, 0)) t(label, position, lo, hi)
    UNION ALL
    SELECT 'Bezahltes Personal (Vollzeitäquivalente)', 2, label, position, lo, hi, 'fte'
    FROM (VALUES ('kein bezahltes Personal', 1, 0, 0), ('über 0 bis unter 1', 2, 0, 1),
                 ('1 bis unter 2', 3, 1, 2), ('2 bis unter 3', 4, 2, 3),
                 ('3 und mehr', 5, 3, 1e9)) t(label, position, lo, hi)
    UNION ALL
    SELECT 'Ehrenamtlich Mitwirkende', 3, label, position, lo, hi, 'vol'
    FROM (VALUES ('keine', 1, 0, 0), ('1 bis 9', 2, 1, 10), ('10 bis 24', 3, 10, 25),
                 ('25 bis 49', 4, 25, 50), ('50 und mehr', 5, 50, 1e9)) t(label, position, lo, hi)
),
class_rows AS (
    SELECT c.section, c.s, c.label, c.position,
           count(a.network_id) AS networks, NULL::DOUBLE AS value, NULL::DOUBLE AS top_share
    FROM classes AS c
    LEFT JOIN a ON CASE c.kind
        WHEN 'office' THEN a.has_coordination_office = (c.lo = 1)
        WHEN 'fte' THEN CASE WHEN c.hi = 0 THEN a.paid_staff_fte = 0
                             WHEN c.lo = 0 THEN a.paid_staff_fte > 0 AND a.paid_staff_fte < c.hi
                             ELSE a.paid_staff_fte >= c.lo AND a.paid_staff_fte < c.hi END
        ELSE CASE WHEN c.hi = 0 THEN a.volunteers = 0
                  ELSE a.volunteers >= c.lo AND a.volunteers < c.hi END END
    GROUP BY ALL
),
totals AS (
    SELECT 'Koordinierungsstelle' AS section, 1 AS s, 'Insgesamt' AS label, 99 AS position,
           count(has_coordination_office) AS networks, NULL::DOUBLE AS value, NULL::DOUBLE AS top_share FROM a
    UNION ALL
    SELECT 'Bezahltes Personal (Vollzeitäquivalente)', 2, 'Insgesamt', 99, count(paid_staff_fte), NULL, NULL FROM a
    UNION ALL
    SELECT 'Ehrenamtlich Mitwirkende', 3, 'Insgesamt', 99, count(volunteers), NULL, NULL FROM a
),
stats AS (
    SELECT 'Kennzahlen' AS section, 4 AS s, label, position, networks, value, top_share FROM (
        SELECT 'Bezahltes Personal: 1. Quartil (VZÄ)' AS label, 1 AS position, count(paid_staff_fte) AS networks,
               quantile_cont(paid_staff_fte, 0.25) AS value, NULL::DOUBLE AS top_share FROM a
        UNION ALL
        SELECT 'Bezahltes Personal: Median (VZÄ)', 2, count(paid_staff_fte),
               quantile_cont(paid_staff_fte, 0.5), NULL FROM a
        UNION ALL
        SELECT 'Bezahltes Personal: 3. Quartil (VZÄ)', 3, count(paid_staff_fte),
               quantile_cont(paid_staff_fte, 0.75), NULL FROM a
        UNION ALL
        SELECT 'Bezahltes Personal: Summe (VZÄ)', 4, count(paid_staff_fte) FILTER (WHERE paid_staff_fte > 0),
               sum(paid_staff_fte), 100.0 * max(paid_staff_fte) / NULLIF(sum(paid_staff_fte), 0) FROM a
        UNION ALL
        SELECT 'Ehrenamtlich Mitwirkende: Median (Personen)', 5, count(volunteers),
               quantile_cont(volunteers, 0.5), NULL FROM a
        UNION ALL
        SELECT 'Ehrenamtlich Mitwirkende: Summe (Personen)', 6, count(volunteers) FILTER (WHERE volunteers > 0),
               sum(volunteers), 100.0 * max(volunteers) / NULLIF(sum(volunteers), 0) FROM a
    )
),
all_rows AS (
    SELECT * FROM class_rows UNION ALL SELECT * FROM totals UNION ALL SELECT * FROM stats
)
SELECT r.section, r.label AS category, r.networks::BIGINT AS networks,
       CASE WHEN r.s < 4 THEN ROUND(100.0 * r.networks / NULLIF(n.n, 0), 1) END::DOUBLE AS share_percent,
       ROUND(r.value, 1)::DOUBLE AS value,
       ROUND(r.top_share, 1)::DOUBLE AS top_share
FROM all_rows AS r CROSS JOIN n
ORDER BY r.s, r.position
