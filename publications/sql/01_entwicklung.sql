-- 01_entwicklung: networks counted, new and ended per census year from $base_year to $year, with the
-- index $base_year = 100 (the growth behind the headline).
-- Parameters: $year, $base_year. Reads: pub.growth.
SELECT
    census_year,
    networks,
    new_networks,
    ended_networks,
    ROUND(100.0 * networks / NULLIF(
        (SELECT networks FROM pub.growth WHERE census_year = $base_year), 0
    ), 1)::DOUBLE AS index_2013
FROM pub.growth
WHERE census_year BETWEEN $base_year AND $year
ORDER BY census_year
