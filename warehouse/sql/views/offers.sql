-- offers: the offers (Angebote) reported by networks counted in that census year, one row per offer.
-- Choice answers as in the publication: German labels under the field's name (offer_format, and the
-- lists target_groups, subjects), the codes core stores in <field>_code and English labels in <field>_label_en.
-- Parameters: none. Reads: pub.network_years, core.offers, ref.vocabulary.
WITH v AS (
    SELECT vocabulary, list(key ORDER BY position) AS codes, list(label ORDER BY position) AS de,
           list(label_en ORDER BY position) AS en
    FROM ref.vocabulary GROUP BY vocabulary
),
tg AS (SELECT * FROM v WHERE vocabulary = 'target_groups'),
su AS (SELECT * FROM v WHERE vocabulary = 'subjects')
SELECT o.census_year, o.network_id,
       o.* EXCLUDE (census_year, network_id)
           REPLACE (coalesce(f.label, o.offer_format) AS offer_format,
                    [coalesce(tg.de[list_position(tg.codes, x)], x) FOR x IN o.target_groups] AS target_groups,
                    [coalesce(su.de[list_position(su.codes, x)], x) FOR x IN o.subjects] AS subjects),
       o.offer_format AS offer_format_code, f.label_en AS offer_format_label_en,
       o.target_groups AS target_groups_code,
       [tg.en[list_position(tg.codes, x)] FOR x IN o.target_groups] AS target_groups_label_en,
       o.subjects AS subjects_code,
       [su.en[list_position(su.codes, x)] FOR x IN o.subjects] AS subjects_label_en
FROM core.offers o
JOIN pub.network_years n ON n.network_id = o.network_id AND n.census_year = o.census_year
LEFT JOIN ref.vocabulary f ON f.vocabulary = 'offer_formats' AND f.key = o.offer_format
CROSS JOIN tg CROSS JOIN su
