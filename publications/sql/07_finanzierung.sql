-- 07_finanzierung: annual budget of the networks with answers in census year $year by size class
-- (with total), its quartiles and mean, and the amounts per funding source (with total).
-- Parameters: $year. Reads: pub.network_answers, pub.funding_long.
WITH a AS (SELECT network_id, budget_eur FROM pub.network_answers
           WHERE census_year = $year AND budget_eur IS NOT NULL),
classes(label, position, lo, hi) AS (VALUES
    ('unter 10.000 EUR', 1, 0, 10000), ('10.000 bis unter 50.000 EUR', 2, 10000, 50000),
    ('50.000 bis unter 100.000 EUR', 3, 50000, 100000),
    ('100.000 bis unter 200.000 EUR', 4, 100000, 200000),
    ('200.000 EUR und mehr', 5, 200000, 1e12)),
budget_total AS (SELECT sum(budget_eur) AS amount, count(*) AS n, max(budget_eur) AS top FROM a),
budget_rows AS (
    SELECT 'Jahresbudget nach Größenklasse' AS section, 1 AS s, c.label, c.position,
           count(a.network_id) AS networks, coalesce(sum(a.budget_eur), 0) AS amount,
           100.0 * max(a.budget_eur) / NULLIF(sum(a.budget_eur), 0) AS top_share,
           (SELECT amount FROM budget_total) AS base
    FROM classes AS c LEFT JOIN a ON a.budget_eur >= c.lo AND a.budget_eur < c.hi
    GROUP BY c.label, c.position
    UNION ALL
    SELECT 'Jahresbudget nach Größenklasse', 1, 'Insgesamt', 99, n, coalesce(amount, 0),
           100.0 * top / NULLIF(amount, 0), amount
    FROM budget_total
),
stat_rows AS (
    SELECT 'Kennzahlen des Jahresbudgets' AS section, 2 AS s, label, position, networks, amount,
           NULL::DOUBLE AS top_share, NULL::DOUBLE AS base
    FROM (
        SELECT '1. Quartil' AS label, 1 AS position, count(*) AS networks,
               quantile_cont(budget_eur, 0.25) AS amount FROM a
        UNION ALL SELECT 'Median', 2, count(*), quantile_cont(budget_eur, 0.5) FROM a
        UNION ALL SELECT '3. Quartil', 3, count(*), quantile_cont(budget_eur, 0.75) FROM a
        UNION ALL SELECT 'Mittelwert', 4, count(*), avg(budget_eur) FROM a
    )
),
f AS (SELECT * FROM pub.funding_long WHERE census_year = $year),
funding_total AS (
    SELECT sum(amount_eur) AS amount,
           count(DISTINCT network_id) FILTER (WHERE amount_eur > 0) AS networks,
           (SELECT max(s) FROM (SELECT sum(amount_eur) AS s FROM f GROUP BY network_id)) AS top
    FROM f
),
source_rows AS (
    SELECT 'Finanzierungsquellen' AS section, 3 AS s, label, position,
           count(*) FILTER (WHERE amount_eur > 0) AS networks, sum(amount_eur) AS amount,
           100.0 * max(amount_eur) / NULLIF(sum(amount_eur), 0) AS top_share,
           (SELECT amount FROM funding_total) AS base
    FROM f GROUP BY label, position
    UNION ALL
    SELECT 'Finanzierungsquellen', 3, 'Insgesamt', 99, networks, amount,
           100.0 * top / NULLIF(amount, 0), amount
    FROM funding_total WHERE amount IS NOT NULL
),
all_rows AS (SELECT * FROM budget_rows UNION ALL SELECT * FROM stat_rows UNION ALL SELECT * FROM source_rows)
SELECT section, label AS category, networks::BIGINT AS networks,
       ROUND(amount, 0)::DOUBLE AS amount_eur,
       ROUND(100.0 * amount / NULLIF(base, 0), 1)::DOUBLE AS share_percent,
       ROUND(top_share, 1)::DOUBLE AS top_share
FROM all_rows
ORDER BY s, position
