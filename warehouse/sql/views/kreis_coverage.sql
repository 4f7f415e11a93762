-- kreis_coverage: for every census year and Kreis of ref.kreise, how many counted networks cover it
-- (0 = weißer Fleck). Empty without reference data.
-- Parameters: none. Reads: pub.census_years, ref.kreise, pub.network_areas.
SELECT y.census_year, k.kreis_code, k.kreis_name, k.land_code, k.population,
       count(DISTINCT a.network_id) AS networks
FROM pub.census_years y
CROSS JOIN ref.kreise k
LEFT JOIN pub.network_areas a ON a.census_year = y.census_year AND a.kreis_code = k.kreis_code
GROUP BY ALL
