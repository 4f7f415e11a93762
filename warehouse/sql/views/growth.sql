-- growth: networks counted, new and ended per census year (the growth series of the headline).
-- Parameters: none. Reads: pub.census_years, pub.network_years, core.register.
SELECT y.census_year,
       (SELECT count(*) FROM pub.network_years n WHERE n.census_year = y.census_year) AS networks,
       (SELECT count(*) FROM core.register r WHERE r.first_census_year = y.census_year) AS new_networks,
       (SELECT count(*) FROM core.register r WHERE r.end_year = y.census_year) AS ended_networks
FROM pub.census_years y
ORDER BY y.census_year
