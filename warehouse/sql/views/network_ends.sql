-- network_ends: every network that ended (dissolved or merged), its last counted year and successor.
-- Parameters: none. Reads: core.register.
SELECT r.network_id, r.network_name, r.land_code, r.first_census_year,
       r.end_year - 1 AS last_census_year, r.end_year, r.end_reason, r.successor_id,
       s.network_name AS successor_name
FROM core.register r
LEFT JOIN core.register s ON s.network_id = r.successor_id
WHERE r.end_year IS NOT NULL
ORDER BY r.end_year, r.network_id
