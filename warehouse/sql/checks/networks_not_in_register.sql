-- networks_not_in_register: invariant 1, core.networks rows of a network the register does not know.
-- Parameters: none. Reads: core.networks, core.register.
SELECT n.network_id, n.census_year
FROM core.networks n
LEFT JOIN core.register r USING (network_id)
WHERE r.network_id IS NULL
ORDER BY 1, 2
