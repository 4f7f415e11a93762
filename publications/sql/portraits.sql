-- portraits: every network counted in census year $year, grouped by Land (register order of the Länder),
-- with its register data and, only where the network agreed (portrait_consent, asked since 2026),
-- host type, website, partners and offers from its accepted workbook of $year.
-- Parameters: $year. Reads: pub.network_years, pub.network_answers, pub.network_areas, pub.kreise,
-- pub.laender, pub.partners_long, pub.offers.
WITH n AS (SELECT * FROM pub.network_years WHERE census_year = $year),
a AS (
    SELECT network_id, host_type, website, coalesce(portrait_consent, false) AS consent
    FROM pub.network_answers WHERE census_year = $year
),
k AS (
    SELECT ar.network_id,
           string_agg(DISTINCT coalesce(kr.kreis_name, ar.kreis_code), ', '
                      ORDER BY coalesce(kr.kreis_name, ar.kreis_code)) AS kreise
    FROM pub.network_areas ar LEFT JOIN pub.kreise kr ON kr.kreis_code = ar.kreis_code
    WHERE ar.census_year = $year
    GROUP BY ar.network_id
),
p AS (
    SELECT network_id, sum(partners)::BIGINT AS partners_total,
           string_agg(label || ': ' || partners::VARCHAR, '; ' ORDER BY position)
               FILTER (WHERE partners > 0) AS partners_by_type
    FROM pub.partners_long WHERE census_year = $year GROUP BY network_id
),
o AS (
    SELECT network_id, count(*)::BIGINT AS offers, sum(participants)::BIGINT AS participants
    FROM pub.offers WHERE census_year = $year GROUP BY network_id
)
SELECT n.land_code, l.land_name, n.network_id, n.network_name, n.network_type, n.founded_year,
       k.kreise,
       coalesce(a.consent, false) AS consent,
       CASE WHEN a.consent THEN a.host_type END AS host_type,
       CASE WHEN a.consent THEN a.website END AS website,
       CASE WHEN a.consent THEN p.partners_total END AS partners_total,
       CASE WHEN a.consent THEN p.partners_by_type END AS partners_by_type,
       CASE WHEN a.consent THEN coalesce(o.offers, 0) END AS offers,
       CASE WHEN a.consent THEN o.participants END AS participants
FROM n
LEFT JOIN pub.laender l ON l.land_code = n.land_code
LEFT JOIN a ON a.network_id = n.network_id
LEFT JOIN k ON k.network_id = n.network_id
LEFT JOIN p ON p.network_id = n.network_id
LEFT JOIN o ON o.network_id = n.network_id
ORDER BY n.land_code, n.network_name, n.network_id
