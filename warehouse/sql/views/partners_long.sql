-- partners_long: number of partners per counted network, census year and partner type (long form).
-- Every column partners_<key> of core.partners becomes one row; NULL answers stay NULL.
-- Parameters: none. Reads: core.partners, pub.network_years, ref.vocabulary (partner_types).
WITH long AS (
    SELECT c.census_year, c.network_id, regexp_extract(c.col, '^partners_(.*)$', 1) AS key, c.value
    FROM core.partners UNPIVOT INCLUDE NULLS (value FOR col IN (COLUMNS('^partners_'))) c
    JOIN pub.network_years n ON n.network_id = c.network_id AND n.census_year = c.census_year
)
SELECT l.census_year, l.network_id, l.key, t.label, t.position, l.value AS partners
FROM long l JOIN ref.vocabulary t ON t.vocabulary = 'partner_types' AND t.key = l.key
