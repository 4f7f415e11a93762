-- network_years: which networks count in which census year (the counting rule, stated only here).
-- A network counts in census year Y when its last status event (admitted, paused, resumed, merged,
-- dissolved) with census_year <= Y, in the order of its history (event_no), is admitted or resumed.
-- A paused network keeps its ID and is not counted until it is resumed. Every other count (growth,
-- per Land, coverage, checks) builds on this view. land_code is the Land in force that year
-- (core.register_history), network_name the current name. A register row without any event (written
-- by SQL, or a register of the first format loaded without events) has the events its columns imply:
-- admitted in first_census_year, merged or dissolved in end_year.
-- Parameters: none. Reads: pub.census_years, core.register_events, core.register, core.register_history,
-- core.networks.
WITH events AS (
    SELECT network_id, event_no, census_year, event FROM core.register_events
    UNION ALL
    SELECT r.network_id, x.event_no, x.census_year, x.event
    FROM core.register r,
         (VALUES (1, 'admitted'), (2, 'ended')) v(event_no, kind),
         LATERAL (SELECT v.event_no AS event_no,
                         CASE WHEN v.kind = 'admitted' THEN r.first_census_year ELSE r.end_year END AS census_year,
                         CASE WHEN v.kind = 'admitted' THEN 'admitted'
                              WHEN r.end_reason = 'fusioniert' THEN 'merged' ELSE 'dissolved' END AS event) x
    WHERE x.census_year IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM core.register_events e WHERE e.network_id = r.network_id)
),
status AS (
    SELECT y.census_year, e.network_id, max_by(e.event, e.event_no) AS last_status
    FROM pub.census_years y
    JOIN events e
      ON e.census_year <= y.census_year AND e.event IN ('admitted', 'paused', 'resumed', 'merged', 'dissolved')
    GROUP BY y.census_year, e.network_id
)
SELECT s.census_year, r.network_id, r.network_name, r.network_type,
       coalesce((SELECT max_by(h.land_code, h.valid_from_year) FROM core.register_history h
                  WHERE h.network_id = r.network_id AND h.valid_from_year <= s.census_year),
                r.land_code) AS land_code,
       r.founded_year, r.first_census_year = s.census_year AS is_new,
       n.network_id IS NOT NULL AS has_survey_answers
FROM status s
JOIN core.register r ON r.network_id = s.network_id
LEFT JOIN core.networks n ON n.network_id = r.network_id AND n.census_year = s.census_year
WHERE s.last_status IN ('admitted', 'resumed')
