-- karte_kreise: networks covering each Kreis in census year $year, for the map.
-- Parameters: $year. Reads: pub.kreis_coverage.
SELECT kreis_code, networks
FROM pub.kreis_coverage
WHERE census_year = $year
ORDER BY kreis_code
