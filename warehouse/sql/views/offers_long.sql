-- offers_long: the offers' multiple answers in long form: one row per offer and target group or subject,
-- with the category's key (code), German and English label and questionnaire order (pub.offers keeps the lists).
-- Parameters: none. Reads: pub.offers, ref.vocabulary (target_groups, subjects).
WITH items AS (
    SELECT census_year, network_id, row_no, 'target_groups' AS vocabulary, unnest(target_groups_code) AS key
    FROM pub.offers
    UNION ALL
    SELECT census_year, network_id, row_no, 'subjects', unnest(subjects_code)
    FROM pub.offers
)
SELECT i.census_year, i.network_id, i.row_no, i.vocabulary, i.key, v.label, v.label_en, v.position
FROM items i
JOIN ref.vocabulary v ON v.vocabulary = i.vocabulary AND v.key = i.key
