-- abbildung_bundeslaender: networks counted in census year $year per Land, by Land name, most first.
-- Parameters: $year. Reads: pub.networks_by_land, pub.laender.
SELECT l.land_name, b.networks
FROM pub.networks_by_land AS b JOIN pub.laender AS l ON l.land_code = b.land_code
WHERE b.census_year = $year
ORDER BY b.networks DESC, l.land_name
