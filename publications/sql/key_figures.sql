-- key_figures: the numbers of "Auf einen Blick" for census year $year: public counts only (register,
-- coverage, response), so none of them needs disclosure control.
-- Parameters: $year. Reads: pub.growth, pub.networks_by_land, pub.land_coverage, pub.response_by_land,
-- pub.network_answers.
SELECT
    (SELECT networks FROM pub.growth WHERE census_year = $year) AS networks,
    (SELECT count(*) FROM pub.networks_by_land WHERE census_year = $year AND networks > 0)
        AS laender_with_networks,
    (SELECT count(*) FROM pub.networks_by_land WHERE census_year = $year) AS laender,
    (SELECT sum(kreise) - sum(kreise_covered) FROM pub.land_coverage WHERE census_year = $year)::BIGINT
        AS kreise_uncovered,
    (SELECT ROUND(100.0 * sum(kreise_covered) / NULLIF(sum(kreise), 0), 1) FROM pub.land_coverage
        WHERE census_year = $year)::DOUBLE AS kreise_covered_percent,
    (SELECT ROUND(100.0 * sum(population_covered) / NULLIF(sum(population), 0), 1) FROM pub.land_coverage
        WHERE census_year = $year)::DOUBLE AS population_covered_percent,
    (SELECT ROUND(100.0 * sum(answered) / NULLIF(sum(asked), 0), 1) FROM pub.response_by_land
        WHERE census_year = $year)::DOUBLE AS response_percent,
    (SELECT count(*) FROM pub.network_answers WHERE census_year = $year) AS networks_with_answers
