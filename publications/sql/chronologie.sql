-- chronologie: per census year up to $year, networks counted, new networks with their names, ended ones.
-- Parameters: $year. Reads: pub.growth, pub.network_years.
SELECT g.census_year, g.networks, g.new_networks, g.ended_networks,
       (SELECT string_agg(n.network_name, ', ' ORDER BY n.network_name)
        FROM pub.network_years n WHERE n.census_year = g.census_year AND n.is_new) AS new_names
FROM pub.growth g
WHERE g.census_year <= $year
ORDER BY g.census_year
