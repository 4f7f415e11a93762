-- abbildung_wachstum: networks counted per census year from $base_year to $year (growth figure).
-- Parameters: $year, $base_year. Reads: pub.growth.
SELECT census_year, networks
FROM pub.growth
WHERE census_year BETWEEN $base_year AND $year
ORDER BY census_year
