-- 09a_weisse_flecken: the Kreise that no MINT-Region counted in census year $year covers, with Land,
-- Kreis type and population. Empty without reference data.
-- Parameters: $year. Reads: pub.kreis_coverage, pub.laender, pub.kreise.
SELECT l.land_name, c.kreis_code, c.kreis_name, k.kreis_typ, c.population::BIGINT AS population
FROM pub.kreis_coverage AS c
JOIN pub.laender AS l ON l.land_code = c.land_code
JOIN pub.kreise AS k ON k.kreis_code = c.kreis_code
WHERE c.census_year = $year AND c.networks = 0
ORDER BY c.kreis_code
