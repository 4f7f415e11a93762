-- networks_by_land_recounted: invariant 3, pub.networks_by_land.networks against a recount of the
-- counted network-years per census year and Land (0 where none).
-- Parameters: none. Reads: pub.networks_by_land, pub.network_years.
WITH recount AS (
    SELECT census_year, land_code, count(DISTINCT network_id) AS networks
    FROM pub.network_years
    GROUP BY 1, 2
)
SELECT b.census_year, b.land_code, b.networks, coalesce(r.networks, 0) AS recounted
FROM pub.networks_by_land b
LEFT JOIN recount r ON r.census_year = b.census_year AND r.land_code = b.land_code
WHERE coalesce(r.networks, 0) <> b.networks
ORDER BY 1, 2
