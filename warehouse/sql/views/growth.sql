-- growth: networks counted, new, ended, paused and back from a pause per census year (the growth
-- series of the headline). networks = previous year's + new - ended - paused + resumed.
-- Parameters: none. Reads: pub.census_years, pub.network_years, core.register, core.register_events.
SELECT y.census_year,
       (SELECT count(*) FROM pub.network_years n WHERE n.census_year = y.census_year) AS networks,
       (SELECT count(*) FROM core.register r WHERE r.first_census_year = y.census_year) AS new_networks,
       (SELECT count(*) FROM core.register r WHERE r.end_year = y.census_year) AS ended_networks,
       (SELECT count(*) FROM core.register_events e
         WHERE e.event = 'paused' AND e.census_year = y.census_year) AS paused_networks,
       (SELECT count(*) FROM core.register_events e
         WHERE e.event = 'resumed' AND e.census_year = y.census_year) AS resumed_networks
FROM pub.census_years y
ORDER BY y.census_year
