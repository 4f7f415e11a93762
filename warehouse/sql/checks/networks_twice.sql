-- networks_twice: invariant 2, networks with more than one core.networks row in a census year.
-- Parameters: none. Reads: core.networks.
SELECT census_year, network_id, count(*)
FROM core.networks
GROUP BY ALL
HAVING count(*) > 1
ORDER BY 1, 2
