-- census_years: one row per census year from 2013 to the latest year known to the register or a run.
-- Parameters: none. Reads: core.register, meta.runs, core.networks.
SELECT CAST(unnest(range(2013, greatest(
       coalesce((SELECT max(first_census_year) FROM core.register), 2013),
       coalesce((SELECT max(census_year) FROM meta.runs), 2013),
       coalesce((SELECT max(census_year) FROM core.networks), 2013)) + 1)) AS INTEGER) AS census_year
