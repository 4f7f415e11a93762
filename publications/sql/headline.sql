-- headline: the two numbers of the headline, networks counted in $base_year and in $year.
-- Scalar subqueries make DuckDB fail loudly if pub.growth ever returned two rows for one year.
-- Parameters: $year, $base_year. Reads: pub.growth.
SELECT
    (SELECT networks FROM pub.growth WHERE census_year = $base_year) AS networks_base_year,
    (SELECT networks FROM pub.growth WHERE census_year = $year)      AS networks_year
