-- require_census_year: whether the warehouse has census data for $year (rows of pub.growth).
-- Parameters: $year. Reads: pub.growth.
SELECT count(*) FROM pub.growth WHERE census_year = $year
