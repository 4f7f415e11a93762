-- basis: networks with survey answers in census year $year (the "Basis" line of the survey tables).
-- Parameters: $year. Reads: pub.network_answers.
SELECT count(*) FROM pub.network_answers WHERE census_year = $year
