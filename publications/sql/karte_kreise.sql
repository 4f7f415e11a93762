-- karte_kreise: networks covering each Kreis in census year $year, for the map, with the Kreis name and
-- the names of the covering networks (the map's tooltips).
-- Parameters: $year. Reads: pub.kreis_coverage, pub.network_areas, pub.network_years.
SELECT c.kreis_code, c.networks, c.kreis_name,
       (SELECT string_agg(DISTINCT n.network_name, ', ' ORDER BY n.network_name)
        FROM pub.network_areas a JOIN pub.network_years n
          ON n.network_id = a.network_id AND n.census_year = a.census_year
        WHERE a.census_year = $year AND a.kreis_code = c.kreis_code) AS network_names
FROM pub.kreis_coverage c
WHERE c.census_year = $year
ORDER BY c.kreis_code
