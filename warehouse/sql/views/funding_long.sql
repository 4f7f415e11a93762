-- funding_long: amount per counted network, census year and funding source (long form; empty answers as 0).
-- Every column funding_<key>_eur of core.funding becomes one row.
-- Parameters: none. Reads: core.funding, pub.network_years, ref.vocabulary (funding_sources).
WITH long AS (
    SELECT c.census_year, c.network_id, regexp_extract(c.col, '^funding_(.*)_eur$', 1) AS key, c.value
    FROM core.funding UNPIVOT INCLUDE NULLS (value FOR col IN (COLUMNS('^funding_.*_eur$'))) c
    JOIN pub.network_years n ON n.network_id = c.network_id AND n.census_year = c.census_year
)
SELECT l.census_year, l.network_id, l.key, t.label, t.position, coalesce(l.value, 0) AS amount_eur
FROM long l JOIN ref.vocabulary t ON t.vocabulary = 'funding_sources' AND t.key = l.key
