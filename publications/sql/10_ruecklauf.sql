-- 10_ruecklauf: response to the survey of census year $year per Land (networks asked, workbooks received,
-- answers accepted), then Deutschland as the total of the Länder (ROLLUP). Empty for years without a survey.
-- Parameters: $year. Reads: pub.response_by_land.
WITH land AS (
    SELECT land_code, land_name, asked, answered, accepted
    FROM pub.response_by_land WHERE census_year = $year
),
rows AS (
    SELECT land_code,
           CASE WHEN grouping(land_code) = 1 THEN 'Deutschland' ELSE land_name END AS land_name,
           SUM(asked) AS asked, SUM(answered) AS answered, SUM(accepted) AS accepted,
           grouping(land_code) = 1 AS is_total
    FROM land
    GROUP BY ROLLUP ((land_code, land_name))
    HAVING count(*) > 0
)
SELECT land_code, land_name, asked::BIGINT AS asked, answered::BIGINT AS answered,
       accepted::BIGINT AS accepted,
       ROUND(100.0 * answered / NULLIF(asked, 0), 1)::DOUBLE AS answered_percent,
       ROUND(100.0 * accepted / NULLIF(asked, 0), 1)::DOUBLE AS accepted_percent
FROM rows
ORDER BY is_total, land_code
