-- network_history: one row per network and counted census year: name, type, Land and Kreise as in that
-- year's survey, else as in the register entry in force that year; and whether name or Land changed.
-- Parameters: none. Reads: pub.network_years, core.register, core.register_history, core.networks,
-- core.districts, ref.kreis_successors, ref.vocabulary.
WITH versions AS (
  SELECT *, coalesce(valid_from_year, 9999) AS from_year
  FROM core.register_history
  QUALIFY row_number() OVER (PARTITION BY network_id, coalesce(valid_from_year, 9999)
                             ORDER BY recorded_at DESC) = 1
),
in_force AS (  -- the register entry in force in each counted year: latest version from a year
               -- up to it, else the earliest version recorded
  SELECT ny.census_year, ny.network_id, v.network_name, v.network_type, v.land_code, v.kreise
  FROM pub.network_years ny
  JOIN versions v ON v.network_id = ny.network_id
  QUALIFY row_number() OVER (PARTITION BY ny.census_year, ny.network_id
                             ORDER BY CASE WHEN v.from_year <= ny.census_year THEN 0 ELSE 1 END,
                                      CASE WHEN v.from_year <= ny.census_year THEN -v.from_year
                                           ELSE v.from_year END) = 1
),
successors AS (  -- old Kreis keys and today's, as two parallel lists (16056 -> 16063, ...)
  SELECT list(old_kreis_code ORDER BY old_kreis_code) AS old_codes,
         list(kreis_code ORDER BY old_kreis_code) AS new_codes
  FROM ref.kreis_successors
),
years AS (
  SELECT ny.census_year, ny.network_id, ny.has_survey_answers,
         coalesce(n.network_name, g.network_name, r.network_name) AS network_name,
         coalesce(nt.label, n.network_type, g.network_type, r.network_type) AS network_type,
         coalesce(n.land_code, g.land_code, r.land_code) AS land_code,
         CASE WHEN n.network_id IS NULL THEN 'register' ELSE 'survey' END AS source,
         n.template_version,
         coalesce((SELECT list(d.kreis_code ORDER BY d.kreis_code) FROM core.districts d
                    WHERE d.network_id = ny.network_id AND d.census_year = ny.census_year),
                  list_sort(list_distinct([coalesce(s.new_codes[list_position(s.old_codes, k)], k)
                                           FOR k IN coalesce(g.kreise, r.kreise)]))) AS kreise,
         r.founded_year, r.first_census_year, r.end_year, r.end_reason, r.successor_id
  FROM pub.network_years ny
  JOIN core.register r USING (network_id)
  CROSS JOIN successors s
  LEFT JOIN in_force g ON g.network_id = ny.network_id AND g.census_year = ny.census_year
  LEFT JOIN core.networks n ON n.network_id = ny.network_id AND n.census_year = ny.census_year
  LEFT JOIN ref.vocabulary nt ON nt.vocabulary = 'network_types' AND nt.key = n.network_type  -- code -> label
)
SELECT census_year, network_id, network_name, network_type, land_code, kreise,
       len(kreise) AS kreise_count, source, template_version, founded_year, first_census_year,
       end_year, end_reason, successor_id,
       coalesce(network_name <> lag(network_name) OVER w, false) AS name_changed,
       coalesce(land_code <> lag(land_code) OVER w, false) AS land_changed
FROM years
WINDOW w AS (PARTITION BY network_id ORDER BY census_year)
