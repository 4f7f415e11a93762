-- vocabulary: the questionnaire's controlled vocabularies (partner types, funding sources, host types, ...)
-- with German label, questionnaire order and English label, so that tables list every category, also empty ones.
-- Parameters: none. Reads: ref.vocabulary.
SELECT vocabulary, key, label, position, label_en
FROM ref.vocabulary
