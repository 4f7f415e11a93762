-- 08_angebote: offers reported for census year $year by format (with total) and by target group
-- (multiple answers): networks, offers, participants.
-- Parameters: $year. Reads: pub.offers, pub.vocabulary (offer_formats, target_groups).
WITH o AS (
    SELECT network_id, offer_format, target_groups, coalesce(participants, 0) AS participants
    FROM pub.offers
    WHERE census_year = $year
),
per_network AS (
    SELECT 'Format' AS kind, offer_format AS label, network_id, count(*) AS offers,
           sum(participants) AS participants
    FROM o GROUP BY ALL
    UNION ALL
    SELECT 'Format', 'Insgesamt', network_id, count(*), sum(participants) FROM o GROUP BY ALL
    UNION ALL
    SELECT 'Zielgruppe', g, network_id, count(*), sum(participants)
    FROM (SELECT network_id, participants, unnest(target_groups) AS g FROM o) GROUP BY ALL
),
items AS (
    SELECT 'nach Format' AS section, 1 AS s, 'Format' AS kind, label, position
    FROM pub.vocabulary WHERE vocabulary = 'offer_formats'
    UNION ALL SELECT 'nach Format', 1, 'Format', 'Insgesamt', 99
    UNION ALL
    SELECT 'nach Zielgruppe (Mehrfachnennungen)', 2, 'Zielgruppe', label, position
    FROM pub.vocabulary WHERE vocabulary = 'target_groups'
)
SELECT i.section, i.label AS category,
       count(p.network_id)::BIGINT AS networks,
       coalesce(sum(p.offers), 0)::BIGINT AS offers,
       coalesce(sum(p.participants), 0)::BIGINT AS participants,
       ROUND(100.0 * max(p.participants) / NULLIF(sum(p.participants), 0), 1)::DOUBLE AS top_share
FROM items AS i
LEFT JOIN per_network AS p ON p.kind = i.kind AND p.label = i.label
GROUP BY i.section, i.s, i.label, i.position
ORDER BY i.s, i.position
