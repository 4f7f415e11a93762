-- land_coverage: per census year and Land, Kreise and population in total and in covered Kreise.
-- Parameters: none. Reads: pub.kreis_coverage.
SELECT census_year, land_code,
       count(*) AS kreise,
       count(*) FILTER (WHERE networks > 0) AS kreise_covered,
       sum(population)::BIGINT AS population,
       coalesce(sum(population) FILTER (WHERE networks > 0), 0)::BIGINT AS population_covered
FROM pub.kreis_coverage
GROUP BY census_year, land_code
