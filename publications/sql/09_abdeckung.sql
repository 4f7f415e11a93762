-- 09_abdeckung: Kreise and population without any counted MINT-Region (weiße Flecken) per Land
-- in census year $year, then Deutschland as the total of the Länder (ROLLUP). Empty without reference data.
-- Parameters: $year. Reads: pub.laender, pub.land_coverage.
WITH land AS (
    SELECT l.land_code, l.land_name, c.kreise, c.kreise - c.kreise_covered AS kreise_uncovered,
           c.population, c.population - c.population_covered AS population_uncovered
    FROM pub.laender AS l
    JOIN pub.land_coverage AS c ON c.land_code = l.land_code AND c.census_year = $year
),
rows AS (
    SELECT land_code,
           CASE WHEN grouping(land_code) = 1 THEN 'Deutschland' ELSE land_name END AS land_name,
           SUM(kreise) AS kreise, SUM(kreise_uncovered) AS kreise_uncovered, SUM(population) AS population,
           SUM(population_uncovered) AS population_uncovered, grouping(land_code) = 1 AS is_total
    FROM land
    GROUP BY ROLLUP ((land_code, land_name))
    HAVING count(*) > 0
)
SELECT land_code, land_name, kreise::BIGINT AS kreise, kreise_uncovered::BIGINT AS kreise_uncovered,
       ROUND(100.0 * kreise_uncovered / NULLIF(kreise, 0), 1)::DOUBLE AS kreise_uncovered_percent,
       population_uncovered::BIGINT AS population_uncovered,
       ROUND(100.0 * population_uncovered / NULLIF(population, 0), 1)::DOUBLE
           AS population_uncovered_percent
FROM rows
ORDER BY is_total, land_code
