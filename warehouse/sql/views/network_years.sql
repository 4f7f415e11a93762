-- network_years: which networks count in which census year (the counting rule, stated only here).
-- A network counts in census year Y when first_census_year <= Y AND (end_year IS NULL OR Y < end_year);
-- every other count (growth, per Land, coverage, checks) builds on this view.
-- Parameters: none. Reads: pub.census_years, core.register, core.networks.
SELECT y.census_year, r.network_id, r.network_name, r.network_type, r.land_code,
       r.founded_year, r.first_census_year = y.census_year AS is_new,
       n.network_id IS NOT NULL AS has_survey_answers
FROM pub.census_years y
JOIN core.register r
  ON r.first_census_year <= y.census_year AND (r.end_year IS NULL OR y.census_year < r.end_year)
LEFT JOIN core.networks n ON n.network_id = r.network_id AND n.census_year = y.census_year
