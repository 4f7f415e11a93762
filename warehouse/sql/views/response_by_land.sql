-- response_by_land: per census year with a survey run and Land, networks asked, answered and accepted.
-- Parameters: none. Reads: meta.submissions, core.networks, ref.laender, pub.network_years.
WITH surveyed AS (SELECT DISTINCT census_year FROM meta.submissions),
answered AS (SELECT DISTINCT census_year, network_id FROM meta.submissions WHERE network_id IS NOT NULL),
accepted AS (SELECT DISTINCT census_year, network_id FROM core.networks)
SELECT s.census_year, l.land_code, l.land_name,
       count(n.network_id) AS asked,
       count(a.network_id) AS answered,
       count(c.network_id) AS accepted
FROM surveyed s
CROSS JOIN ref.laender l
LEFT JOIN pub.network_years n ON n.census_year = s.census_year AND n.land_code = l.land_code
LEFT JOIN answered a ON a.census_year = n.census_year AND a.network_id = n.network_id
LEFT JOIN accepted c ON c.census_year = n.census_year AND c.network_id = n.network_id
GROUP BY ALL
