-- 05_partnerstruktur: per partner type, networks with such partners in census year $year, their share
-- of all networks with answers, median, minimum, maximum and total number of partners.
-- Parameters: $year. Reads: pub.partners_long.
WITH p AS (SELECT * FROM pub.partners_long WHERE census_year = $year),
respondents AS (SELECT count(DISTINCT network_id) AS n FROM p)
SELECT
    label AS partner_type,
    count(*) FILTER (WHERE partners > 0) AS networks,
    ROUND(100.0 * count(*) FILTER (WHERE partners > 0) / NULLIF(max(r.n), 0), 1)::DOUBLE
        AS share_percent,
    ROUND(quantile_cont(partners, 0.5) FILTER (WHERE partners > 0), 1)::DOUBLE AS median,
    min(partners) FILTER (WHERE partners > 0) AS minimum,
    max(partners) FILTER (WHERE partners > 0) AS maximum,
    sum(partners)::BIGINT AS partners_total
FROM p CROSS JOIN respondents AS r
GROUP BY label, position
ORDER BY position
