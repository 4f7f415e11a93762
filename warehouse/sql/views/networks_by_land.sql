-- networks_by_land: networks counted per census year and Land (all 16 Länder, 0 where none).
-- Parameters: none. Reads: pub.census_years, ref.laender, pub.network_years.
SELECT y.census_year, l.land_code, l.land_name,
       count(n.network_id) AS networks
FROM pub.census_years y
CROSS JOIN ref.laender l
LEFT JOIN pub.network_years n ON n.census_year = y.census_year AND n.land_code = l.land_code
GROUP BY y.census_year, l.land_code, l.land_name
ORDER BY y.census_year, l.land_code
