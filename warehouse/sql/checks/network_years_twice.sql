-- network_years_twice: invariant 2, networks counted more than once in a census year.
-- Parameters: none. Reads: pub.network_years.
SELECT census_year, network_id, count(*)
FROM pub.network_years
GROUP BY ALL
HAVING count(*) > 1
ORDER BY 1, 2
