-- survey_answers_recounted: invariant 3, per census year with answers, core.networks rows against the
-- counted network-years flagged has_survey_answers (answers from networks not counted that year?).
-- Parameters: none. Reads: core.networks, pub.network_years.
WITH answered AS (SELECT census_year, count(*) AS networks FROM core.networks GROUP BY 1),
surveyed AS (
    SELECT census_year, count(*) FILTER (WHERE has_survey_answers) AS networks
    FROM pub.network_years
    GROUP BY 1
)
SELECT a.census_year, a.networks, coalesce(s.networks, 0) AS surveyed
FROM answered a
LEFT JOIN surveyed s ON s.census_year = a.census_year
WHERE coalesce(s.networks, 0) <> a.networks
ORDER BY 1
