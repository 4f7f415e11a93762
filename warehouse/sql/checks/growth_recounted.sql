-- growth_recounted: invariant 3, pub.growth.networks against a recount of the counted
-- network-years (pub.network_years holds the counting rule), one row per census year.
-- Parameters: none. Reads: pub.growth, pub.census_years, pub.network_years.
WITH recount AS (
    SELECT y.census_year, count(DISTINCT n.network_id) AS networks
    FROM pub.census_years y
    LEFT JOIN pub.network_years n ON n.census_year = y.census_year
    GROUP BY 1
)
SELECT g.census_year, g.networks, r.networks AS recounted
FROM pub.growth g
LEFT JOIN recount r ON r.census_year = g.census_year
WHERE r.networks IS DISTINCT FROM g.networks
ORDER BY 1
