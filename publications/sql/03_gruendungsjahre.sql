-- 03_gruendungsjahre: networks counted in census year $year by founding period (three-year periods
-- from 2006, cumulated), plus 'ohne Angabe' and the total 'Insgesamt'.
-- Parameters: $year. Reads: pub.network_years.
WITH counted AS (
    SELECT founded_year FROM pub.network_years WHERE census_year = $year
),
periods AS (
    SELECT 0 AS start
    UNION ALL
    SELECT p FROM range(2006, $year + 1, 3) AS t(p)
),
binned AS (
    SELECT CASE WHEN founded_year < 2006 THEN 0
                ELSE 2006 + 3 * ((founded_year - 2006) // 3) END AS start
    FROM counted WHERE founded_year IS NOT NULL
),
counts AS (
    SELECT p.start, count(b.start) AS networks
    FROM periods AS p LEFT JOIN binned AS b ON b.start = p.start
    GROUP BY p.start
),
total AS (SELECT count(*) AS networks FROM counted)
SELECT
    CASE WHEN c.start = 0 THEN 'vor 2006'
         WHEN least(c.start + 2, $year) = c.start THEN c.start::VARCHAR
         ELSE c.start::VARCHAR || '–' || least(c.start + 2, $year)::VARCHAR END AS category,
    c.networks,
    ROUND(100.0 * c.networks / NULLIF(t.networks, 0), 1)::DOUBLE AS share_percent,
    SUM(c.networks) OVER (ORDER BY c.start)::BIGINT AS networks_cumulative,
    ROUND(100.0 * SUM(c.networks) OVER (ORDER BY c.start) / NULLIF(t.networks, 0), 1)::DOUBLE
        AS share_cumulative_percent
FROM counts AS c CROSS JOIN total AS t
WHERE c.start > 0 OR c.networks > 0
UNION ALL
SELECT 'ohne Angabe', count(*), ROUND(100.0 * count(*) / NULLIF(max(t.networks), 0), 1)::DOUBLE,
       NULL, NULL
FROM counted CROSS JOIN total AS t WHERE founded_year IS NULL HAVING count(*) > 0
UNION ALL
SELECT 'Insgesamt', networks, CASE WHEN networks > 0 THEN 100.0 END, NULL, NULL FROM total
