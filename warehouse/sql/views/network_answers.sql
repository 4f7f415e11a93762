-- network_answers: the survey answers of every counted network that sent an accepted workbook.
-- Parameters: none. Reads: pub.network_years, core.networks.
SELECT n.census_year, n.network_id, n.land_code AS register_land_code, c.* EXCLUDE (census_year, network_id,
       template_version, source_sha256)
FROM pub.network_years n
JOIN core.networks c ON c.network_id = n.network_id AND c.census_year = n.census_year
