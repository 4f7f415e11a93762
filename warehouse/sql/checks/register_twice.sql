-- register_twice: invariant 2, networks listed more than once in the register.
-- Parameters: none. Reads: core.register.
SELECT network_id, count(*)
FROM core.register
GROUP BY ALL
HAVING count(*) > 1
