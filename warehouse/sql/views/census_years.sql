-- census_years: one row per census year from 2013 to the latest year known to the register (its first
-- census years and its events up to the current year) or a run.
-- Parameters: none. Reads: core.register, core.register_events, meta.runs, core.networks.
SELECT CAST(unnest(range(2013, greatest(
       coalesce((SELECT max(first_census_year) FROM core.register), 2013),
       coalesce((SELECT least(max(census_year), year(current_date)) FROM core.register_events), 2013),
       coalesce((SELECT max(census_year) FROM meta.runs), 2013),
       coalesce((SELECT max(census_year) FROM core.networks), 2013)) + 1)) AS INTEGER) AS census_year
