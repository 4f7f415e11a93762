-- network_areas: the Kreise each counted network covers in a census year (survey answer of that
-- year where there is one, else the register's kreise list; old Kreis codes mapped to today's).
-- Parameters: none. Reads: pub.network_years, core.districts, core.register, ref.kreis_successors.
WITH surveyed AS (SELECT DISTINCT network_id, census_year FROM core.districts),
listed AS (
    SELECT n.census_year, n.network_id, d.kreis_code, 'Erhebung' AS basis
    FROM pub.network_years n
    JOIN core.districts d ON d.network_id = n.network_id AND d.census_year = n.census_year
    UNION ALL
    SELECT n.census_year, n.network_id, unnest(r.kreise) AS kreis_code, 'Register' AS basis
    FROM pub.network_years n
    JOIN core.register r ON r.network_id = n.network_id
    WHERE NOT EXISTS (SELECT 1 FROM surveyed s
                      WHERE s.network_id = n.network_id AND s.census_year = n.census_year)
)
SELECT DISTINCT l.census_year, l.network_id, coalesce(s.kreis_code, l.kreis_code) AS kreis_code, l.basis
FROM listed l LEFT JOIN ref.kreis_successors s ON s.old_kreis_code = l.kreis_code
