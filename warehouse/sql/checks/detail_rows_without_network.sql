-- detail_rows_without_network: invariant 1, rows of a detail table ({{detail_table}}: core.partners,
-- core.funding, ...) without their core.networks row, per network and year.
-- Parameters: none; {{detail_table}} is an identifier filled in by sqltext.with_identifiers.
-- Reads: the detail table, core.networks.
SELECT d.network_id, d.census_year, count(*)
FROM {{detail_table}} d
LEFT JOIN core.networks n USING (network_id, census_year)
WHERE n.network_id IS NULL
GROUP BY ALL
ORDER BY 1, 2
