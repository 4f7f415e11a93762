-- 02_bundeslaender: networks counted in census year $year per Land (share, per million inhabitants,
-- Kreise covered, change against the previous year), then Deutschland as the total of the Länder
-- (ROLLUP). Shares are rounded one by one, so they need not add up to exactly 100.
-- Parameters: $year. Reads: pub.networks_by_land, pub.land_coverage.
WITH land AS (
    SELECT b.land_code, b.land_name, b.networks, p.networks AS networks_prev,
           c.kreise, c.kreise_covered, c.population, c.population_covered
    FROM pub.networks_by_land AS b
    LEFT JOIN pub.networks_by_land AS p
           ON p.land_code = b.land_code AND p.census_year = b.census_year - 1
    LEFT JOIN pub.land_coverage AS c
           ON c.land_code = b.land_code AND c.census_year = b.census_year
    WHERE b.census_year = $year
),
land_and_total AS (
    SELECT land_code,
           CASE WHEN grouping(land_code) = 1 THEN 'Deutschland' ELSE land_name END AS land_name,
           SUM(networks) AS networks, SUM(networks_prev) AS networks_prev, SUM(kreise) AS kreise,
           SUM(kreise_covered) AS kreise_covered, SUM(population) AS population,
           SUM(population_covered) AS population_covered, grouping(land_code) = 1 AS is_total
    FROM land
    GROUP BY ROLLUP ((land_code, land_name))
)
SELECT
    r.land_code,
    r.land_name,
    r.networks::BIGINT AS networks,
    ROUND(100.0 * r.networks / NULLIF(t.networks, 0), 1)::DOUBLE AS share_percent,
    ROUND(1e6 * r.networks / NULLIF(r.population, 0), 2)::DOUBLE AS networks_per_million,
    r.kreise::BIGINT AS kreise,
    r.kreise_covered::BIGINT AS kreise_covered,
    ROUND(100.0 * r.kreise_covered / NULLIF(r.kreise, 0), 1)::DOUBLE AS kreise_covered_percent,
    ROUND(100.0 * r.population_covered / NULLIF(r.population, 0), 1)::DOUBLE
        AS population_covered_percent,
    (r.networks - r.networks_prev)::BIGINT AS change_previous_year
FROM land_and_total AS r
CROSS JOIN (SELECT networks FROM land_and_total WHERE is_total) AS t
ORDER BY r.is_total, r.land_code
