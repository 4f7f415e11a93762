-- kernaussagen: the numbers behind the key messages of edition $year: networks now and a year before,
-- Länder with networks, the Land with the largest change against the previous year, coverage.
-- Parameters: $year, $base_year. Reads: pub.growth, pub.networks_by_land, pub.land_coverage.
WITH now AS (SELECT land_code, land_name, networks FROM pub.networks_by_land WHERE census_year = $year),
prev AS (SELECT land_code, networks FROM pub.networks_by_land WHERE census_year = $year - 1),
change AS (
    SELECT now.land_name, now.networks - prev.networks AS change
    FROM now JOIN prev USING (land_code)
    ORDER BY abs(now.networks - prev.networks) DESC, now.land_name LIMIT 1
),
top AS (SELECT land_name, networks FROM now ORDER BY networks DESC, land_name LIMIT 1),
cov AS (
    SELECT sum(kreise)::BIGINT AS kreise, sum(kreise - kreise_covered)::BIGINT AS uncovered,
           ROUND(100.0 * sum(kreise_covered) / NULLIF(sum(kreise), 0), 1)::DOUBLE AS covered_percent
    FROM pub.land_coverage WHERE census_year = $year
)
SELECT (SELECT networks FROM pub.growth WHERE census_year = $base_year) AS base_networks,
       (SELECT networks FROM pub.growth WHERE census_year = $year) AS networks,
       (SELECT networks FROM pub.growth WHERE census_year = $year - 1) AS previous_networks,
       (SELECT new_networks FROM pub.growth WHERE census_year = $year) AS new_networks,
       (SELECT count(*) FROM now WHERE networks > 0) AS laender_with_networks,
       (SELECT land_name FROM top) AS top_land, (SELECT networks FROM top) AS top_land_networks,
       (SELECT land_name FROM change) AS change_land, (SELECT change FROM change) AS change_land_networks,
       cov.kreise, cov.uncovered, cov.covered_percent
FROM cov
